# Table II "IN PixPro -> target PixPro -> Sup" on Cityscapes, 372 labeled of 2975 images,
# as one command:
#   python tools/train.py configs/table2/pixpro-sup_cityscapes-372.py [--resume]
# stage 1  PixPro target pretraining on every training image, from PixPro's ImageNet release (the converted file),
#          weight regulariser toward it;
# stage 2  supervised DeepLabV3+ on the labeled split only (French et al.'s baseline setup) from stage 1's backbone;
# then     evaluation.
stages = [
    dict(name='pixpro', config='../pixpro/pixpro_r50_1xb8-lars-200e_cityscapes-224x224.py'),
    dict(name='sup',
         config='../deeplabv3plus/deeplabv3plus_r50-d16-pixpro_1xb4-40k_cityscapes-372-256x512.py',
         init_backbone_from='pixpro',
         backbone_key='model.backbone'),
]
evaluate = True
