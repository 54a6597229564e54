# UNet for one-channel medical slices (ACDC): mmseg's UNet backbone with 16-32-64-128-256 channels (the small UNet of
# SSL4MIS / UniMatch: 5 stages of 2 convs, 4 downsamplings, bilinear-upsampling decoder) + an FCN head on the
# full-resolution decoder output. Inputs are the h5 images in [0, 1] as stored, one channel (mean 0, std 1, no
# BGR->RGB), as UniMatch feeds them. Loss: (cross-entropy + Dice) / 2, UniMatch's supervised loss on ACDC.
# Trained from scratch (no ImageNet start for one-channel MRI); inputs must be multiples of 16 pixels.
# The head's classifier keeps PyTorch's default initialisation (init_cfg=None), as the UNet of SSL4MIS / UniMatch:
# mmseg's default for heads (normal, std 0.01, meant for pretrained backbones) made the logits so small that this
# UNet from scratch learned only background in 1000 iterations on the medical demo (train accuracy stuck at the
# background share, per-volume Dice 2.7 at 1 case; see configs/unet/README.md).
norm_cfg = dict(type='BN', requires_grad=True)
data_preprocessor = dict(
    type='SegDataPreProcessor', mean=[0.], std=[1.], bgr_to_rgb=False, pad_val=0, seg_pad_val=255)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='UNet',
        in_channels=1,
        base_channels=16,
        num_stages=5,
        strides=(1, 1, 1, 1, 1),
        enc_num_convs=(2, 2, 2, 2, 2),
        dec_num_convs=(2, 2, 2, 2),
        downsamples=(True, True, True, True),
        enc_dilations=(1, 1, 1, 1, 1),
        dec_dilations=(1, 1, 1, 1),
        with_cp=False,
        conv_cfg=None,
        norm_cfg=norm_cfg,
        act_cfg=dict(type='ReLU'),
        upsample_cfg=dict(type='InterpConv'),
        norm_eval=False),
    decode_head=dict(
        type='FCNHead',
        in_channels=16,
        in_index=4,
        channels=16,
        num_convs=1,
        concat_input=False,
        dropout_ratio=0.1,
        num_classes=4,
        norm_cfg=norm_cfg,
        init_cfg=None,
        align_corners=False,
        loss_decode=[
            dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.5),
            dict(type='DiceLoss', use_sigmoid=False, loss_weight=0.5),
        ]),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
