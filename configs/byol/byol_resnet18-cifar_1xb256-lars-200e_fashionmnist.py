# BYOL target pretraining on the Fashion-MNIST training images (labels unused): the CIFAR-10 recipe with a
# 1-channel stem and grey-level augmentations (colour jitter/grayscale need 3 channels).
# Data: densessl's SemiFashionMNIST (mmpretrain's FashionMNIST reader) reads the idx files from data/fashion_mnist,
# unpacking them on first use from the Debian/Ubuntu package `dataset-fashion-mnist`; whole training set.
# Schedule: the demo's own, kept as measured (stage 1 of configs/byol_fixmatch_fmnist_40labels.py and of the
# Fashion-MNIST experiments): 200 epochs, lr 0.3 at batch 256 without auto_scale_lr, not the seed's 300 epochs.
_base_ = ['./byol_resnet18-cifar_1xb256-lars-300e_cifar10.py']
model = dict(
    data_preprocessor=dict(mean=[72.94], std=[90.02], to_rgb=False),  # Fashion-MNIST pixel statistics
    backbone=dict(in_channels=1))
view_pipeline1 = [
    dict(type='mmpretrain.RandomResizedCrop', scale=28, crop_ratio_range=(0.2, 1.), backend='pillow'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='mmpretrain.GaussianBlur', magnitude_range=(0.1, 1.0), magnitude_std='inf', prob=0.5),
]
view_pipeline2 = view_pipeline1 + [dict(type='mmpretrain.Solarize', thr=128, prob=0.2)]
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='SemiFashionMNIST',
        data_root='data/fashion_mnist',
        split='train',
        pipeline=[
            dict(type='mmpretrain.MultiView', num_views=[1, 1], transforms=[view_pipeline1, view_pipeline2]),
            dict(type='mmpretrain.PackInputs'),
        ]))
max_epochs = 200
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=10, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=max_epochs - 10, by_epoch=True, begin=10, end=max_epochs,
         convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
auto_scale_lr = dict(_delete_=True, base_batch_size=256)  # not enabled: lr 0.3 whatever the batch
