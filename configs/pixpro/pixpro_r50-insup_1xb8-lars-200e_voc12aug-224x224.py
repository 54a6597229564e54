# Variant of pixpro_r50_1xb8-lars-200e_voc12aug-224x224.py:
# target pretraining from torchvision's *supervised* ImageNet ResNet-50 ("IN Sup"; get it once from
# https://download.pytorch.org/models/resnet50-0676ba61.pth) instead of PixPro's ImageNet release: the
# "IN Sup -> target PixPro" ablation, not a Table II row. Schedule, data and regulariser as the base config.
_base_ = ['./pixpro_r50_1xb8-lars-200e_voc12aug-224x224.py']
model = dict(backbone=dict(init_cfg=dict(type='Pretrained', checkpoint='checkpoints/resnet50-0676ba61.pth')))
