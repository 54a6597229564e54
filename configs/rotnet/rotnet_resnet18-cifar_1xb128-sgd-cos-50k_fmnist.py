# RotNet (Gidaris et al. 2018) self-supervised pretraining on all 60 000 Fashion-MNIST training images (no labels):
# each image in its 4 rotations, 4-way linear head on the pooled ResNet-18 features; SGD lr 0.1 (Nesterov, wd 5e-4),
# cosine decay over 50k iterations of 128 images (x4 rotations). The checkpoint keeps the backbone under
# `backbone.` for the hand-off to a classifier (see rotnet-frozen2_..._fmnist-40labels.py).
_base_ = ['../_base_/default_cls_runtime.py', '../_base_/schedules/rotnet_sgd_cos_50k.py']
data_preprocessor = dict(type='mmpretrain.ClsDataPreprocessor', mean=[72.94] * 3, std=[90.02] * 3, to_rgb=False)
model = dict(
    type='RotNet',
    backbone=dict(type='mmpretrain.ResNet_CIFAR', depth=18, num_stages=4, out_indices=(3, ), style='pytorch'),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(type='mmpretrain.LinearClsHead', num_classes=4, in_channels=512,
              loss=dict(type='mmpretrain.CrossEntropyLoss')),
    data_preprocessor=data_preprocessor)
train_dataloader = dict(
    batch_size=128,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='SemiFashionMNIST',
        data_root='data/fashion_mnist',
        split='train',
        pipeline=[
            dict(type='GrayToRGB'),
            dict(type='mmpretrain.RandomCrop', crop_size=28, padding=4, padding_mode='reflect'),
            dict(type='mmpretrain.PackInputs'),
        ]))
val_dataloader = None
val_cfg = None
val_evaluator = None
test_dataloader = None
test_cfg = None
test_evaluator = None
custom_hooks = []  # no EMA teacher in self-supervised pretraining
