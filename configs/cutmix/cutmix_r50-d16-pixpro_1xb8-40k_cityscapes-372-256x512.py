# Table II "IN PixPro -> target PixPro -> CutMix" on Cityscapes, 372 labeled of 2975 images:
# the IN-PixPro config
#   cutmix_r50-d16-inpixpro_1xb8-40k_cityscapes-372-256x512.py
# started from the backbone of the target-pretraining stage
#   configs/pixpro/pixpro_r50_1xb8-lars-200e_cityscapes-224x224.py
# (itself started from PixPro's ImageNet release). The recipe
#   configs/table2/pixpro-cutmix_cityscapes-372.py
# runs both stages and hands the backbone over; by hand, after the PixPro stage:
#   python tools/model_converters/extract_backbone.py \
#       work_dirs/pixpro_r50_1xb8-lars-200e_cityscapes-224x224/<last checkpoint>.pth \
#       work_dirs/pixpro_r50_1xb8-lars-200e_cityscapes-224x224/backbone.pth \
#       --check-config <this config> --backbone-key model.segmentor.backbone
_base_ = ['./cutmix_r50-d16-inpixpro_1xb8-40k_cityscapes-372-256x512.py']
pixpro_backbone = 'work_dirs/pixpro_r50_1xb8-lars-200e_cityscapes-224x224/backbone.pth'
model = dict(segmentor=dict(backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=pixpro_backbone))))
