# Table II "IN PixPro -> target PixPro -> Sup" (the Table IV ablation: target pretraining without SSL) on
# Pascal VOC 2012 aug, 2 % labels (~212 of 10582 images): the IN-PixPro config
#   deeplabv3plus_r50-d16-inpixpro_1xb10-40k_voc12aug-2pct-321x321.py
# started from the backbone of the target-pretraining stage
#   configs/pixpro/pixpro_r50_1xb8-lars-200e_voc12aug-224x224.py
# The recipe
#   configs/table2/pixpro-sup_voc12aug-2pct.py
# runs both stages and hands the backbone over; by hand, after the PixPro stage:
#   python tools/model_converters/extract_backbone.py \
#       work_dirs/pixpro_r50_1xb8-lars-200e_voc12aug-224x224/<last checkpoint>.pth \
#       work_dirs/pixpro_r50_1xb8-lars-200e_voc12aug-224x224/backbone.pth \
#       --check-config <this config>
_base_ = ['./deeplabv3plus_r50-d16-inpixpro_1xb10-40k_voc12aug-2pct-321x321.py']
pixpro_backbone = 'work_dirs/pixpro_r50_1xb8-lars-200e_voc12aug-224x224/backbone.pth'
model = dict(backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=pixpro_backbone)))
