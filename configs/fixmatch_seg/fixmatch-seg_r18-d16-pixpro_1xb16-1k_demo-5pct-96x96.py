# FixMatch for segmentation on the demo scenes, 5 % labels, with target pretraining: the backbone starts from the
# PixPro stage on the same images (configs/pixpro/pixpro_r18-d16_1xb32-300it_demo-96x96.py, backbone extracted with
# tools/model_converters/extract_backbone.py), everything else as fixmatch-seg_r18-d16_1xb16-1k_demo-5pct-96x96.py.
_base_ = ['./fixmatch-seg_r18-d16_1xb16-1k_demo-5pct-96x96.py']
pixpro_backbone = 'work_dirs/pixpro_r18-d16_1xb32-300it_demo-96x96/backbone.pth'
model = dict(segmentor=dict(backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=pixpro_backbone))))
