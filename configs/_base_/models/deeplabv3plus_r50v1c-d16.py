# DeepLabV3+ with a ResNet-50-V1c (deep stem) backbone at output stride 16, as in the CutMix/ClassMix setups
# (French et al. 2020, Olsson et al. 2021: DeepLabV3+ ResNet-50/101, OS16 for training).
# ImageNet weights: mmcv's resnet50_v1c checkpoint, read from a local path (no downloads at run time). Get it once
# from https://download.openmmlab.com/pretrain/third_party/resnet50_v1c-2cccc1ad.pth and put it at the path below,
# or override `model.backbone.init_cfg.checkpoint` (a URL also works where the network allows it).
norm_cfg = dict(type='SyncBN', requires_grad=True)  # reverted to BN automatically when not distributed
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='ResNetV1c',
        depth=50,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        dilations=(1, 1, 1, 2),
        strides=(1, 2, 2, 1),
        norm_cfg=norm_cfg,
        norm_eval=False,
        style='pytorch',
        contract_dilation=True,
        init_cfg=dict(type='Pretrained', checkpoint='checkpoints/resnet50_v1c-2cccc1ad.pth')),
    decode_head=dict(
        type='DepthwiseSeparableASPPHead',
        in_channels=2048,
        in_index=3,
        channels=512,
        dilations=(1, 6, 12, 18),  # OS16 rates
        c1_in_channels=256,
        c1_channels=48,
        dropout_ratio=0.1,
        num_classes=21,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
