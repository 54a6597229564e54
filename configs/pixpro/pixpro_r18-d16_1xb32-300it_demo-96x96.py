# Demo: PixPro target pretraining on the 1000 demo training scenes (labeled and unlabeled, masks unused) with the
# differentiable affine and the weight regulariser, on the demo segmenter's backbone (plain-stem ResNet-18 at
# output stride 16, configs/_base_/models/deeplabv3plus_r18-d16_demo.py):
#   python tools/train.py configs/pixpro/pixpro_r18-d16_1xb32-300it_demo-96x96.py
#   python tools/model_converters/extract_backbone.py work_dirs/pixpro_r18-d16_1xb32-300it_demo-96x96/iter_300.pth \
#       work_dirs/pixpro_demo_backbone.pth
# then finetune with --cfg-options model.backbone.init_cfg.type=Pretrained \
#   model.backbone.init_cfg.checkpoint=work_dirs/pixpro_demo_backbone.pth
# Alone, it starts from the random initialisation. The method starts from ImageNet weights, which cannot be
# downloaded here: the demo recipe (configs/pixpro_demo_5pct.py) starts it from the backbone trained on the source
# scenes (configs/deeplabv3plus/deeplabv3plus_r18-d16_1xb8-2k_demo-source-96x96.py), and the weight regulariser
# then pulls toward those weights; a local torchvision resnet18 file as model.backbone.init_cfg works too.
_base_ = [
    '../_base_/models/pixpro_r50.py', '../_base_/default_runtime.py', '../_base_/schedules/pixpro_lars_coslr_300it.py'
]
crop_size = 96
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    backbone=dict(
        _delete_=True,
        type='ResNet',
        depth=18,
        num_stages=4,
        out_indices=(3, ),
        strides=(1, 2, 2, 1),  # the segmenter's output stride 16: 6x6 maps at 96 px (stride 32 would give 3x3)
        dilations=(1, 1, 1, 2),
        norm_cfg=norm_cfg,
        norm_eval=False,
        style='pytorch',
        contract_dilation=False),
    neck=dict(in_channels=512, hid_channels=1024, out_channels=128, norm_cfg=norm_cfg),  # narrower than R50's
    ppm=dict(channels=128))

# PixPro's two views at demo size (crop range 0.2-1 instead of 0.08-1: 128-px scenes, a short schedule)
view_pipeline1 = [
    dict(type='RandomResizedCropWithBox', scale=crop_size, crop_ratio_range=(0.2, 1.), backend='pillow'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandomApply', prob=0.8,
         transforms=[dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.2, hue=0.1)]),
    dict(type='mmpretrain.RandomGrayscale', prob=0.2, keep_channels=True, channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='mmpretrain.GaussianBlur', magnitude_range=(0.1, 1.0), magnitude_std='inf', prob=1.0),
]
view_pipeline2 = [
    dict(type='RandomResizedCropWithBox', scale=crop_size, crop_ratio_range=(0.2, 1.), backend='pillow'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandomApply', prob=0.8,
         transforms=[dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.2, hue=0.1)]),
    dict(type='mmpretrain.RandomGrayscale', prob=0.2, keep_channels=True, channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='mmpretrain.GaussianBlur', magnitude_range=(0.1, 1.0), magnitude_std='inf', prob=0.1),
    dict(type='mmpretrain.Solarize', thr=128, prob=0.2),
]
train_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    drop_last=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='DemoScenesDataset',
        data_root='data/demo',
        data_prefix=dict(img_path='JPEGImages'),
        ann_file='ImageSets/Segmentation/train.txt',  # all 1000 training scenes = labeled + unlabeled
        with_label=False,
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='SelfSupViews', num_views=[1, 1], transforms=[view_pipeline1, view_pipeline2]),
            dict(type='PackViewInputs'),
        ]))
