# PixPro (Xie et al., CVPR 2021) for target pretraining (Xu et al.), on the plain-stem ResNet-50 the segmenter uses
# (mmseg `ResNet`, torchvision key layout: the weights hand over to configs/_base_/models/deeplabv3plus_r50-d16.py).
# Values from zdaxie/PixPro tools/pixpro_base_r50_400ep.sh unless noted.
norm_cfg = dict(type='SyncBN', requires_grad=True)  # PixPro converts every BN to SyncBN; BN on one process/CPU
model = dict(
    type='PixPro',
    data_preprocessor=dict(
        type='mmpretrain.SelfSupDataPreprocessor',
        mean=[123.675, 116.28, 103.53],  # ImageNet statistics, as the starting weights expect
        std=[58.395, 57.12, 57.375],
        to_rgb=True),
    backbone=dict(
        type='ResNet',
        depth=50,
        num_stages=4,
        out_indices=(3, ),  # PixPro's `head_type='early_return'`: the C5 map (7x7 at 224 px)
        norm_cfg=norm_cfg,
        norm_eval=False,
        style='pytorch',
        # the starting weights (the method continues from ImageNet): torchvision's resnet50, a local file
        # (get it once from https://download.pytorch.org/models/resnet50-0676ba61.pth); a PixPro release file
        # (`module.encoder.*` keys) works after `tools/model_converters/extract_backbone.py`.
        init_cfg=dict(type='Pretrained', checkpoint='checkpoints/resnet50-0676ba61.pth')),
    neck=dict(type='PixProNeck', in_channels=2048, hid_channels=4096, out_channels=256,
              norm_cfg=norm_cfg),  # Proj_Head(2048, 4096, 256)
    ppm=dict(type='PixelPropagationModule', channels=256, gamma=2.,  # --pixpro-p 2
             num_transform_layers=1, clamp_value=0.),  # --pixpro-transform-layer 1, --pixpro-clamp-value 0
    pos_ratio=0.7,  # --pixpro-pos-ratio 0.7
    base_momentum=0.01,  # MMEngine convention (new-weight share): teacher 0.99, --pixpro-momentum 0.99
    instance_loss_weight=0.,  # --pixpro-ins-loss-weight 0 (PixPro's best; the instance branch is not built)
    # the method's additions (Xu et al.), both on by default:
    # differentiable affine: scale / rotation / shear / translation, each with p=0.5, bilinear (the paper);
    # the ranges are not given there: moderate values, as kornia RandomAffine arguments
    affine=dict(type='DifferentiableAffine', degrees=20., scale=(0.8, 1.2), shear=10., translate=0.1, p=0.5,
                mode='bilinear'),
    weight_reg=1e-2)  # λ of λ‖Φ−Φ_pre‖², Φ_pre = the starting (ImageNet) backbone
