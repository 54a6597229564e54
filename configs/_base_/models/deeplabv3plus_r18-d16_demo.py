# A small DeepLabV3+ (plain-stem ResNet-18, output stride 16, narrow head), sized for CPU training.
# Same structure as the ResNet-50 model, so every method runs unchanged on it. Trained from scratch by default:
# no ImageNet weights can be downloaded here (set model.backbone.init_cfg to a local torchvision resnet18 file, or
# to the backbone of the source-scene model, the demo's stand-in for ImageNet: see
# configs/deeplabv3plus/deeplabv3plus_r18-d16_1xb8-2k_demo-source-96x96.py and configs/pixpro_demo_5pct.py).
norm_cfg = dict(type='BN', requires_grad=True)
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
        type='ResNet',
        depth=18,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        dilations=(1, 1, 1, 2),
        strides=(1, 2, 2, 1),
        norm_cfg=norm_cfg,
        norm_eval=False,
        style='pytorch',
        contract_dilation=False),
    decode_head=dict(
        type='DepthwiseSeparableASPPHead',
        in_channels=512,
        in_index=3,
        channels=128,
        dilations=(1, 6, 12, 18),
        c1_in_channels=64,
        c1_channels=32,
        dropout_ratio=0.1,
        num_classes=5,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
