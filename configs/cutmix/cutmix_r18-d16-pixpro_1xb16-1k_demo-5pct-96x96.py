# CutMix mean teacher (French et al., BMVC 2020) on the demo scenes, 5 % labels (~50 of 1000 training images), with
# target pretraining:
# the backbone starts from the PixPro stage on the same images
# (configs/pixpro/pixpro_r18-d16_1xb32-300it_demo-96x96.py),
# everything else as the ImageNet-initialised config. Make the backbone file after the PixPro stage with
#   python tools/model_converters/extract_backbone.py \
#       work_dirs/pixpro_r18-d16_1xb32-300it_demo-96x96/<last checkpoint>.pth \
#       work_dirs/pixpro_r18-d16_1xb32-300it_demo-96x96/backbone.pth \
#       --check-config configs/cutmix/cutmix_r18-d16-pixpro_1xb16-1k_demo-5pct-96x96.py \
#       --backbone-key model.segmentor.backbone
# or run the multi-stage recipe, which hands the backbone over itself.
_base_ = ['./cutmix_r18-d16_1xb16-1k_demo-5pct-96x96.py']
pixpro_backbone = 'work_dirs/pixpro_r18-d16_1xb32-300it_demo-96x96/backbone.pth'
model = dict(segmentor=dict(backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=pixpro_backbone))))
