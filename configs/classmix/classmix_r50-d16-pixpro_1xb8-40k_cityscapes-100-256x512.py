# ClassMix mean teacher (Olsson et al., WACV 2021) on Cityscapes, 100 labeled of 2975 training images, with target
# pretraining:
# the backbone starts from the PixPro stage on the same images
# (configs/pixpro/pixpro_r50_8xb128-lars-700e_cityscapes-224x224.py),
# everything else as the ImageNet-initialised config. Make the backbone file after the PixPro stage with
#   python tools/model_converters/extract_backbone.py \
#       work_dirs/pixpro_r50_8xb128-lars-700e_cityscapes-224x224/<last checkpoint>.pth \
#       work_dirs/pixpro_r50_8xb128-lars-700e_cityscapes-224x224/backbone.pth \
#       --check-config configs/classmix/classmix_r50-d16-pixpro_1xb8-40k_cityscapes-100-256x512.py \
#       --backbone-key model.segmentor.backbone
# or run the multi-stage recipe, which hands the backbone over itself.
_base_ = ['./classmix_r50-d16_1xb8-40k_cityscapes-100-256x512.py']
pixpro_backbone = 'work_dirs/pixpro_r50_8xb128-lars-700e_cityscapes-224x224/backbone.pth'
model = dict(segmentor=dict(backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=pixpro_backbone))))
