# CutMix mean teacher (French et al., BMVC 2020) on Cityscapes, 372 labeled of 2975 training images, with target
# pretraining:
# the backbone starts from the PixPro stage on the same images
# (configs/pixpro/pixpro_r50_8xb128-lars-700e_cityscapes-224x224.py),
# everything else as the ImageNet-initialised config. Make the backbone file after the PixPro stage with
#   python tools/model_converters/extract_backbone.py \
#       work_dirs/pixpro_r50_8xb128-lars-700e_cityscapes-224x224/<last checkpoint>.pth \
#       work_dirs/pixpro_r50_8xb128-lars-700e_cityscapes-224x224/backbone.pth \
#       --check-config configs/cutmix/cutmix_r50-d16-pixpro_1xb8-40k_cityscapes-372-256x512.py \
#       --backbone-key model.segmentor.backbone
# or run the multi-stage recipe, which hands the backbone over itself.
_base_ = ['./cutmix_r50-d16_1xb8-40k_cityscapes-372-256x512.py']
pixpro_backbone = 'work_dirs/pixpro_r50_8xb128-lars-700e_cityscapes-224x224/backbone.pth'
model = dict(segmentor=dict(backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=pixpro_backbone))))
