# BYOL target pretraining for classification (Xu et al., seed 003: target pretraining before semi-supervised
# finetuning; "batch size 256, base learning rate 0.3, 300 epochs" for BYOL),
# CIFAR-10 training images (labels unused), with the differentiable affine and the weight regulariser.
# Algorithm: mmpretrain's BYOL (NonLinearNeck projector, LatentPredictHead predictor, CosineEMA target).
# Backbone: mmpretrain's CIFAR ResNet-18 (3x3 stem, no max-pool); use the backbone your classifier uses, and set
# `model.backbone.init_cfg` to its starting (ImageNet) weights when you have them: no downloads happen here.
# Data: densessl's SemiCIFAR10 (mmpretrain's CIFAR10 reader, no download) reads data/cifar10/cifar-10-batches-py;
# the whole training set (no split_file): target pretraining uses labeled and unlabeled images alike.
_base_ = ['../_base_/schedules/byol_lars_coslr.py', '../_base_/default_runtime.py']
model = dict(
    type='BYOL',
    base_momentum=0.01,  # MMEngine convention: teacher weight τ_base = 0.99 (mmpretrain's BYOL config)
    data_preprocessor=dict(
        type='mmpretrain.SelfSupDataPreprocessor',
        mean=[125.307, 122.961, 113.8575],  # CIFAR-10 statistics (mmpretrain cifar10_bs16.py)
        std=[51.5865, 50.847, 51.255],
        to_rgb=False),  # mmpretrain's CIFAR10 yields RGB already
    backbone=dict(type='mmpretrain.ResNet_CIFAR', depth=18, out_indices=(3, ), norm_cfg=dict(type='BN'),
                  zero_init_residual=False),
    neck=dict(type='mmpretrain.NonLinearNeck', in_channels=512, hid_channels=4096, out_channels=256, num_layers=2,
              with_bias=True, with_last_bn=False, with_avg_pool=True),  # BYOL: 4096-256 projector
    head=dict(
        type='mmpretrain.LatentPredictHead',
        predictor=dict(type='mmpretrain.NonLinearNeck', in_channels=256, hid_channels=4096, out_channels=256,
                       num_layers=2, with_bias=True, with_last_bn=False, with_avg_pool=False),
        loss=dict(type='mmpretrain.CosineSimilarityLoss')),
    # the method's additions (Xu et al.): p=0.5 per affine component, bilinear; λ = 1e-2
    affine=dict(type='DifferentiableAffine', degrees=20., scale=(0.8, 1.2), shear=10., translate=0.1, p=0.5),
    weight_reg=1e-2)

# BYOL augmentations (Grill et al. Table 6) at CIFAR size: blur dropped on 32-px images, as is usual for CIFAR
view_pipeline1 = [
    dict(type='mmpretrain.RandomResizedCrop', scale=32, crop_ratio_range=(0.08, 1.), backend='pillow'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RandomApply', prob=0.8,
         transforms=[dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.2, hue=0.1)]),
    dict(type='mmpretrain.RandomGrayscale', prob=0.2, keep_channels=True, channel_weights=(0.114, 0.587, 0.2989)),
]
view_pipeline2 = view_pipeline1 + [dict(type='mmpretrain.Solarize', thr=128, prob=0.2)]
train_pipeline = [
    dict(type='mmpretrain.MultiView', num_views=[1, 1], transforms=[view_pipeline1, view_pipeline2]),
    dict(type='mmpretrain.PackInputs'),
]
train_dataloader = dict(
    batch_size=256,
    num_workers=4,
    persistent_workers=True,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='SemiCIFAR10', data_root='data/cifar10', split='train', pipeline=train_pipeline))

# Schedule (configs/_base_/schedules/byol_lars_coslr.py, seed 003): batch 256, base lr 0.3 per 256 images with
# auto_scale_lr enabled, 300 epochs, LARS, cosine decay after 10 warm-up epochs.
log_processor = dict(by_epoch=True)
