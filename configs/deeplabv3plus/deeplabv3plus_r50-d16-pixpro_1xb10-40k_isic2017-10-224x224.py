# Table II "IN PixPro -> target PixPro -> Sup" (the Table IV ablation: target pretraining without SSL) on
# ISIC 2017, 10 labeled of 2000 images: the IN-PixPro config
#   deeplabv3plus_r50-d16-inpixpro_1xb10-40k_isic2017-10-224x224.py
# started from the backbone of the target-pretraining stage
#   configs/pixpro/pixpro_r50_1xb8-lars-1000e_isic2017-224x224.py
# The recipe
#   configs/table2/pixpro-sup_isic2017-10.py
# runs both stages and hands the backbone over; by hand, after the PixPro stage:
#   python tools/model_converters/extract_backbone.py \
#       work_dirs/pixpro_r50_1xb8-lars-1000e_isic2017-224x224/<last checkpoint>.pth \
#       work_dirs/pixpro_r50_1xb8-lars-1000e_isic2017-224x224/backbone.pth \
#       --check-config <this config>
_base_ = ['./deeplabv3plus_r50-d16-inpixpro_1xb10-40k_isic2017-10-224x224.py']
pixpro_backbone = 'work_dirs/pixpro_r50_1xb8-lars-1000e_isic2017-224x224/backbone.pth'
model = dict(backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=pixpro_backbone)))
