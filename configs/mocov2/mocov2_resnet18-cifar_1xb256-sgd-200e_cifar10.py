# MoCo v2 target pretraining on CIFAR-10 training images (labels unused), with the differentiable affine and the
# weight regulariser: mmpretrain's MoCo (MoCoV2Neck, ContrastiveHead) in the MoCo v2 setting.
# Values from mmpretrain's mocov2_resnet50_8xb32-coslr-200e_in1k.py / Chen et al. 2020 unless noted.
_base_ = ['../byol/byol_resnet18-cifar_1xb256-lars-200e_cifar10.py']
model = dict(
    _delete_=True,
    type='MoCoV2',
    queue_len=4096,  # 65536 on ImageNet; CIFAR-10 has 50000 images (a multiple of the batch size is required)
    feat_dim=128,
    momentum=0.001,  # MMEngine convention: MoCo's key-encoder momentum m = 0.999 (constant, no schedule hook)
    data_preprocessor=dict(type='mmpretrain.SelfSupDataPreprocessor', mean=[125.307, 122.961, 113.8575],
                           std=[51.5865, 50.847, 51.255], to_rgb=False),
    backbone=dict(type='mmpretrain.ResNet_CIFAR', depth=18, out_indices=(3, ), norm_cfg=dict(type='BN'),
                  zero_init_residual=False),
    neck=dict(type='mmpretrain.MoCoV2Neck', in_channels=512, hid_channels=2048, out_channels=128,
              with_avg_pool=True),
    head=dict(type='mmpretrain.ContrastiveHead', loss=dict(type='mmpretrain.CrossEntropyLoss'), temperature=0.2),
    affine=dict(type='DifferentiableAffine', degrees=20., scale=(0.8, 1.2), shear=10., translate=0.1, p=0.5),
    weight_reg=1e-2)
# MoCo v2 augmentation (one pipeline, two views): crop 0.2-1, jitter 0.4/0.4/0.4/0.1 p=0.8, grayscale p=0.2
view_pipeline = [
    dict(type='mmpretrain.RandomResizedCrop', scale=32, crop_ratio_range=(0.2, 1.), backend='pillow'),
    dict(type='RandomApply', prob=0.8,
         transforms=[dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.4, hue=0.1)]),
    dict(type='mmpretrain.RandomGrayscale', prob=0.2, keep_channels=True, channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='RandomFlip', prob=0.5),
]
train_dataloader = dict(
    dataset=dict(pipeline=[
        dict(type='mmpretrain.MultiView', num_views=2, transforms=[view_pipeline]),
        dict(type='mmpretrain.PackInputs'),
    ]))
# SGD lr 0.03 x batch/256, momentum 0.9, wd 1e-4, cosine (mmpretrain imagenet_sgd_coslr_200e)
optim_wrapper = dict(_delete_=True, type='OptimWrapper',
                     optimizer=dict(type='SGD', lr=0.03, momentum=0.9, weight_decay=1e-4))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=200, by_epoch=True, begin=0, end=200,
                        convert_to_iter_based=True)]
custom_hooks = []  # MoCo v2 keeps m constant
