# DeepLabV3+ with a plain-stem ResNet-50 (torchvision key layout) at output stride 16.
# Use this one for recipes that start from torchvision / PixPro weights (the paper's "IN PixPro" rows): those
# checkpoints load into mmseg's `ResNet` with no missing keys, but miss 15 stem keys in `ResNetV1c`.
# ImageNet weights: torchvision's resnet50 checkpoint at a local path (no downloads at run time); get it once from
# https://download.pytorch.org/models/resnet50-0676ba61.pth.
_base_ = ['./deeplabv3plus_r50v1c-d16.py']
model = dict(
    backbone=dict(
        type='ResNet',
        contract_dilation=False,
        init_cfg=dict(type='Pretrained', checkpoint='checkpoints/resnet50-0676ba61.pth')))
