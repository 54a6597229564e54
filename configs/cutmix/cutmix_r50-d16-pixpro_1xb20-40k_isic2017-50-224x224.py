# Table II "IN PixPro -> target PixPro -> CutMix" on ISIC 2017, 50 labeled of 2000 images:
# the IN-PixPro config
#   cutmix_r50-d16-inpixpro_1xb20-40k_isic2017-50-224x224.py
# started from the backbone of the target-pretraining stage
#   configs/pixpro/pixpro_r50_1xb8-lars-1000e_isic2017-224x224.py
# (itself started from PixPro's ImageNet release). The recipe
#   configs/table2/pixpro-cutmix_isic2017-50.py
# runs both stages and hands the backbone over; by hand, after the PixPro stage:
#   python tools/model_converters/extract_backbone.py \
#       work_dirs/pixpro_r50_1xb8-lars-1000e_isic2017-224x224/<last checkpoint>.pth \
#       work_dirs/pixpro_r50_1xb8-lars-1000e_isic2017-224x224/backbone.pth \
#       --check-config <this config> --backbone-key model.segmentor.backbone
_base_ = ['./cutmix_r50-d16-inpixpro_1xb20-40k_isic2017-50-224x224.py']
pixpro_backbone = 'work_dirs/pixpro_r50_1xb8-lars-1000e_isic2017-224x224/backbone.pth'
model = dict(segmentor=dict(backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=pixpro_backbone))))
