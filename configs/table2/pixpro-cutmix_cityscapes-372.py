# Table II "IN PixPro -> target PixPro -> CutMix" on Cityscapes, 372 labeled of 2975 images,
# as one command:
#   python tools/train.py configs/table2/pixpro-cutmix_cityscapes-372.py [--resume]
# stage 1  PixPro target pretraining on every training image, from PixPro's ImageNet release (the converted file),
#          weight regulariser toward it;
# stage 2  CutMix mean teacher (French et al.'s recipe) from stage 1's online backbone;
# then     evaluation of the teacher.
stages = [
    dict(name='pixpro', config='../pixpro/pixpro_r50_1xb8-lars-200e_cityscapes-224x224.py'),
    dict(name='cutmix',
         config='../cutmix/cutmix_r50-d16-pixpro_1xb8-40k_cityscapes-372-256x512.py',
         init_backbone_from='pixpro',
         backbone_key='model.segmentor.backbone'),
]
evaluate = True
