# Table II "IN PixPro -> target PixPro -> ClassMix" on ISIC 2017, 20 labeled of 2000 images,
# as one command:
#   python tools/train.py configs/table2/pixpro-classmix_isic2017-20.py [--resume]
# stage 1  PixPro target pretraining on every training image, from PixPro's ImageNet release (the converted file),
#          weight regulariser toward it;
# stage 2  ClassMix mean teacher (French et al.'s recipe) from stage 1's online backbone;
# then     evaluation of the teacher.
stages = [
    dict(name='pixpro', config='../pixpro/pixpro_r50_1xb8-lars-1000e_isic2017-224x224.py'),
    dict(name='classmix',
         config='../classmix/classmix_r50-d16-pixpro_1xb20-40k_isic2017-20-224x224.py',
         init_backbone_from='pixpro',
         backbone_key='model.segmentor.backbone'),
]
evaluate = True
