# Supervised baseline on ACDC with 7 labeled case(s), with PixPro target pretraining: the UNet starts from the
# PixPro stage on all ACDC training slices (configs/pixpro/pixpro_unet-s5-d16_1xb32-lars-4k_acdc-256x256.py)
# instead of random weights; everything else as
# configs/unet/unet-s5-d16_fcn_1xb12-30k_acdc-7case-256x256.py. Make the backbone file with
#   python tools/train.py configs/pixpro/pixpro_unet-s5-d16_1xb32-lars-4k_acdc-256x256.py
#   python tools/model_converters/extract_backbone.py \
#       work_dirs/pixpro_unet-s5-d16_1xb32-lars-4k_acdc-256x256/iter_4000.pth \
#       work_dirs/pixpro_unet-s5-d16_1xb32-lars-4k_acdc-256x256/backbone.pth \
#       --check-config configs/unet/unet-s5-d16-pixpro_fcn_1xb12-30k_acdc-7case-256x256.py \
#       --backbone-key model.backbone
_base_ = ['./unet-s5-d16_fcn_1xb12-30k_acdc-7case-256x256.py']
pixpro_backbone = 'work_dirs/pixpro_unet-s5-d16_1xb32-lars-4k_acdc-256x256/backbone.pth'
model = dict(backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=pixpro_backbone)))
