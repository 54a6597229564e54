# Table II "IN PixPro -> target PixPro -> CutMix" on Pascal VOC 2012 aug, 1 % labels (~106 of 10582 images),
# as one command:
#   python tools/train.py configs/table2/pixpro-cutmix_voc12aug-1pct.py [--resume]
# stage 1  PixPro target pretraining on every training image, from PixPro's ImageNet release (the converted file),
#          weight regulariser toward it;
# stage 2  CutMix mean teacher (French et al.'s recipe) from stage 1's online backbone;
# then     evaluation of the teacher.
stages = [
    dict(name='pixpro', config='../pixpro/pixpro_r50_1xb8-lars-200e_voc12aug-224x224.py'),
    dict(name='cutmix',
         config='../cutmix/cutmix_r50-d16-pixpro_1xb20-40k_voc12aug-1pct-321x321.py',
         init_backbone_from='pixpro',
         backbone_key='model.segmentor.backbone'),
]
evaluate = True
