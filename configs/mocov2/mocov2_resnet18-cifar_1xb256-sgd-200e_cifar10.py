# MoCo v2 target pretraining on CIFAR-10 training images (labels unused), with the differentiable affine and the
# weight regulariser: mmpretrain's MoCo (MoCoV2Neck, ContrastiveHead) in the MoCo v2 setting.
# Values from mmpretrain's mocov2_resnet50_8xb32-coslr-200e_in1k.py / Chen et al. 2020 unless noted; the schedule
# is configs/_base_/schedules/mocov2_sgd_coslr.py (seed 003's 10x lower target-pretraining rate, auto_scale_lr).
_base_ = ['../_base_/schedules/mocov2_sgd_coslr.py', '../_base_/default_runtime.py']
model = dict(
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
    batch_size=256,
    num_workers=4,
    persistent_workers=True,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='SemiCIFAR10',
        data_root='data/cifar10',
        split='train',
        pipeline=[
            dict(type='mmpretrain.MultiView', num_views=2, transforms=[view_pipeline]),
            dict(type='mmpretrain.PackInputs'),
        ]))
log_processor = dict(by_epoch=True)
