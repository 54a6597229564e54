# Table II "IN Sup -> CutMix" on ISIC 2017, 50 labeled of 2000 images: the IN-PixPro config
#   cutmix_r50-d16-inpixpro_1xb20-40k_isic2017-50-224x224.py
# started from torchvision's supervised ImageNet ResNet-50 (the same plain-stem network; get it once from
# https://download.pytorch.org/models/resnet50-0676ba61.pth) instead of PixPro's ImageNet release.
_base_ = ['./cutmix_r50-d16-inpixpro_1xb20-40k_isic2017-50-224x224.py']
in_sup = 'checkpoints/resnet50-0676ba61.pth'
model = dict(segmentor=dict(backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=in_sup))))
