# CutMix mean teacher (French et al., BMVC 2020) on Pascal VOC 2012 aug, 1 % labels (~106 of 10582 training images),
# with target pretraining:
# the backbone starts from the PixPro stage on the same images
# (configs/pixpro/pixpro_r50_8xb128-lars-200e_voc12aug-224x224.py),
# everything else as the ImageNet-initialised config. Make the backbone file after the PixPro stage with
#   python tools/model_converters/extract_backbone.py \
#       work_dirs/pixpro_r50_8xb128-lars-200e_voc12aug-224x224/<last checkpoint>.pth \
#       work_dirs/pixpro_r50_8xb128-lars-200e_voc12aug-224x224/backbone.pth \
#       --check-config configs/cutmix/cutmix_r50-d16-pixpro_1xb20-40k_voc12aug-1pct-321x321.py \
#       --backbone-key model.segmentor.backbone
# or run the multi-stage recipe, which hands the backbone over itself.
_base_ = ['./cutmix_r50-d16_1xb20-40k_voc12aug-1pct-321x321.py']
pixpro_backbone = 'work_dirs/pixpro_r50_8xb128-lars-200e_voc12aug-224x224/backbone.pth'
model = dict(segmentor=dict(backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=pixpro_backbone))))
