# Target pretraining + UniMatch on Pascal VOC 2012 aug at 1 % labels, as one command (the thesis of Xu et al.,
# "Revisiting pretraining for semi-supervised learning in the low-label regime", applied to UniMatch):
#   python tools/train.py configs/pixpro_unimatch_voc_1pct.py [--resume] [--work-dir DIR]
# before   convert PixPro's ImageNet release once ("IN PixPro"; zdaxie/PixPro README):
#            python tools/model_converters/pixpro2mmseg.py pixpro_base_r50_400ep_md5_<hash>.pth \
#                checkpoints/pixpro_base_r50_400ep_backbone.pth
# stage 1  PixPro target pretraining on all 10582 VOC aug training images (labeled + unlabeled, no masks) from those
#          weights (plain-stem ResNet-50), differentiable kornia affine + inverse warp, weight regulariser toward
#          them (configs/pixpro/pixpro_r50_1xb8-lars-200e_voc12aug-224x224.py);
# stage 2  UniMatch finetuning of DeepLabV3+ R50 (OS16) at 1 % labels (data/splits/voc/1pct; make it with
#          `python tools/make_splits.py voc`) with UniMatch's Pascal recipe (SGD, 8 + 8 images a step, 80 epochs of
#          1309 iterations), its backbone initialised from stage 1's online backbone (densessl.apis.extract_backbone);
# then     evaluation of the model on the 1449 val images (mIoU).
# The UniMatch stage alone from ImageNet weights: configs/unimatch/unimatch_r50-d16_1xb16-80e_voc12aug-1pct-321x321.py.
# Each stage runs in <work_dir>/<stage name>/; --resume skips finished stages and resumes the interrupted one.
# The demo-sized recipe: configs/pixpro_unimatch_demo_5pct.py.
stages = [
    dict(name='pixpro', config='pixpro/pixpro_r50_1xb8-lars-200e_voc12aug-224x224.py'),
    dict(name='unimatch',
         config='unimatch/unimatch_r50-d16-pixpro_1xb16-80e_voc12aug-1pct-321x321.py',
         init_backbone_from='pixpro',
         backbone_key='model.segmentor.backbone'),
]
evaluate = True
