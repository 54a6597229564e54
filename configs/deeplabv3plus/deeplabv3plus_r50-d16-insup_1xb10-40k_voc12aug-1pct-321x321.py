# Table II "IN Sup -> Sup" on Pascal VOC 2012 aug, 1 % labels (~106 of 10582 images): the IN-PixPro config
#   deeplabv3plus_r50-d16-inpixpro_1xb10-40k_voc12aug-1pct-321x321.py
# started from torchvision's supervised ImageNet ResNet-50 (the same plain-stem network; get it once from
# https://download.pytorch.org/models/resnet50-0676ba61.pth) instead of PixPro's ImageNet release.
_base_ = ['./deeplabv3plus_r50-d16-inpixpro_1xb10-40k_voc12aug-1pct-321x321.py']
in_sup = 'checkpoints/resnet50-0676ba61.pth'
model = dict(backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=in_sup)))
