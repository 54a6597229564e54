# Two asymmetric views per image for PixPro/BYOL-style target pretraining: zdaxie/PixPro `--aug BYOL`
# (contrast/data/transform.py), with the crop box and flip of each view recorded for PixPro's positive rule.
# The dataset (all target images, no masks) is set by each config.
crop_size = 224  # PixPro's image_size
view_pipeline1 = [
    dict(type='RandomResizedCropWithBox', scale=crop_size, crop_ratio_range=(0.08, 1.),  # --crop 0.08
         interpolation='bilinear', backend='pillow'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandomApply', prob=0.8,  # ColorJitter: densessl's numpy-2-safe mmpretrain ColorJitter
         transforms=[dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.2, hue=0.1)]),
    dict(type='mmpretrain.RandomGrayscale', prob=0.2, keep_channels=True, channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='mmpretrain.GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=1.0),
]
view_pipeline2 = [
    dict(type='RandomResizedCropWithBox', scale=crop_size, crop_ratio_range=(0.08, 1.), interpolation='bilinear',
         backend='pillow'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandomApply', prob=0.8,  # ColorJitter: densessl's numpy-2-safe mmpretrain ColorJitter
         transforms=[dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.2, hue=0.1)]),
    dict(type='mmpretrain.RandomGrayscale', prob=0.2, keep_channels=True, channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='mmpretrain.GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=0.1),
    dict(type='mmpretrain.Solarize', thr=128, prob=0.2),
]
train_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='SelfSupViews', num_views=[1, 1], transforms=[view_pipeline1, view_pipeline2]),
    dict(type='PackViewInputs'),
]
train_dataloader = dict(
    batch_size=128,  # PixPro: 128 per GPU x 8 GPUs
    num_workers=8,
    persistent_workers=True,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),  # the views stack into a list of (B, 3, H, W) tensors
    dataset=dict(pipeline=train_pipeline))
