# FixMatch-seg on Pascal VOC 2012 aug, 732 labeled images (UniMatch's "1/2" of the 1464 finely annotated VOC train
# images), with target pretraining: the backbone starts from the PixPro stage on the same images
# (configs/pixpro/pixpro_r50_1xb8-lars-200e_voc12aug-224x224.py, itself started from PixPro's ImageNet release) instead
# of torchvision's supervised ImageNet ResNet-50; everything else as
# fixmatch-seg_r50-d16_1xb16-80e_voc12aug-732-321x321.py.
# By hand, after the PixPro stage:
#   python tools/model_converters/extract_backbone.py \
#       work_dirs/pixpro_r50_1xb8-lars-200e_voc12aug-224x224/<last checkpoint>.pth \
#       work_dirs/pixpro_r50_1xb8-lars-200e_voc12aug-224x224/backbone.pth \
#       --check-config <this config> --backbone-key model.segmentor.backbone
_base_ = ['./fixmatch-seg_r50-d16_1xb16-80e_voc12aug-732-321x321.py']
pixpro_backbone = 'work_dirs/pixpro_r50_1xb8-lars-200e_voc12aug-224x224/backbone.pth'
model = dict(segmentor=dict(backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=pixpro_backbone))))
