# UniMatch on the demo scenes, 1 % labels, with target pretraining: the backbone starts from the PixPro stage on the
# same images (configs/pixpro/pixpro_r18-d16_1xb32-300it_demo-96x96.py), everything else as
# unimatch_r18-d16_1xb16-1k_demo-1pct-96x96.py. Make the backbone file after the PixPro stage with
#   python tools/model_converters/extract_backbone.py \
#       work_dirs/pixpro_r18-d16_1xb32-300it_demo-96x96/<last checkpoint>.pth \
#       work_dirs/pixpro_r18-d16_1xb32-300it_demo-96x96/backbone.pth \
#       --check-config configs/unimatch/unimatch_r18-d16-pixpro_1xb16-1k_demo-1pct-96x96.py \
#       --backbone-key model.segmentor.backbone
# or run the recipe configs/pixpro_unimatch_demo_5pct.py, which hands the backbone over itself.
_base_ = ['./unimatch_r18-d16_1xb16-1k_demo-1pct-96x96.py']
pixpro_backbone = 'work_dirs/pixpro_r18-d16_1xb32-300it_demo-96x96/backbone.pth'
model = dict(segmentor=dict(backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=pixpro_backbone))))
