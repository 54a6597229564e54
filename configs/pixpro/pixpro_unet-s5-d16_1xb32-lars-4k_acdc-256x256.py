# PixPro target pretraining of the ACDC UNet (configs/_base_/models/unet-s5-d16_fcn_1ch.py: mmseg UNet, 16-256
# channels, one input channel) on all 1312 training slices (the labeled and unlabeled slices of the split; labels
# unused), before the supervised / CutMix ACDC finetuning (configs/{unet,cutmix}/*-pixpro_*_acdc-*.py).
# Views: one-channel PixPro views of 256x256 (configs/_base_/datasets/pixpro_views_1ch.py) + the differentiable
# affine. The UNet's full-resolution output is average-pooled 8x8 (PooledPixProNeck: 32x32 cells per view) before
# PixPro's projector, so the whole UNet is trained by the pixel contrast at an affordable cost. No weight regulariser:
# the method regularises toward ImageNet weights, and a one-channel MRI UNet starts from random weights.
# LARS (base lr 1.0 per 256 images -> 0.125 at batch 32), 4000 iterations (~100 epochs), cosine after a warm-up.
#   python tools/train.py configs/pixpro/pixpro_unet-s5-d16_1xb32-lars-4k_acdc-256x256.py
#   python tools/model_converters/extract_backbone.py \
#       work_dirs/pixpro_unet-s5-d16_1xb32-lars-4k_acdc-256x256/iter_4000.pth \
#       work_dirs/pixpro_unet-s5-d16_1xb32-lars-4k_acdc-256x256/backbone.pth
_base_ = [
    '../_base_/models/pixpro_r50.py', '../_base_/datasets/pixpro_views_1ch.py', '../_base_/default_runtime.py',
    '../_base_/schedules/pixpro_lars_coslr_4k.py'
]
custom_imports = dict(imports=['densessl.models.necks'], allow_failed_imports=False)
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    data_preprocessor=dict(_delete_=True, type='mmpretrain.SelfSupDataPreprocessor', mean=[0.], std=[1.],
                           to_rgb=False),
    backbone=dict(
        _delete_=True,
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
        norm_cfg=norm_cfg,
        act_cfg=dict(type='ReLU'),
        upsample_cfg=dict(type='InterpConv'),
        norm_eval=False),
    neck=dict(_delete_=True, type='PooledPixProNeck', in_channels=16, hid_channels=1024, out_channels=128,
              norm_cfg=norm_cfg, in_index=-1, pool=8),
    ppm=dict(channels=128),
    weight_reg=0.)
split = '{{ fileDirname }}/../../data/splits/acdc/1'  # labeled + unlabeled = every training slice
slices = dict(type='ACDCDataset', data_root='data/ACDC', with_label=False, pipeline=_base_.train_pipeline)
train_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    drop_last=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='ConcatDataset', datasets=[dict(slices, ann_file=split + '/labeled.txt'),
                                                 dict(slices, ann_file=split + '/unlabeled.txt')]))
