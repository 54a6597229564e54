# FixMatch-seg on ACDC with 1 labeled case(s), with PixPro target pretraining: the UNet starts from the
# PixPro stage on all ACDC training slices (configs/pixpro/pixpro_unet-s5-d16_1xb32-lars-4k_acdc-256x256.py)
# instead of random weights; everything else as
# configs/fixmatch_seg/fixmatch-seg_unet-s5-d16_1xb24-30k_acdc-1case-256x256.py. Make the backbone file with
#   python tools/train.py configs/pixpro/pixpro_unet-s5-d16_1xb32-lars-4k_acdc-256x256.py
#   python tools/model_converters/extract_backbone.py \
#       work_dirs/pixpro_unet-s5-d16_1xb32-lars-4k_acdc-256x256/iter_4000.pth \
#       work_dirs/pixpro_unet-s5-d16_1xb32-lars-4k_acdc-256x256/backbone.pth \
#       --check-config configs/fixmatch_seg/fixmatch-seg_unet-s5-d16-pixpro_1xb24-30k_acdc-1case-256x256.py \
#       --backbone-key model.segmentor.backbone
_base_ = ['./fixmatch-seg_unet-s5-d16_1xb24-30k_acdc-1case-256x256.py']
pixpro_backbone = 'work_dirs/pixpro_unet-s5-d16_1xb32-lars-4k_acdc-256x256/backbone.pth'
model = dict(segmentor=dict(backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=pixpro_backbone))))
