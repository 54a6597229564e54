# The whole method on Pascal VOC 2012 aug at 1 % labels, as one command (Xu et al., "Revisiting pretraining for
# semi-supervised learning in the low-label regime"):
#   python tools/train.py configs/pixpro_voc_1pct.py [--resume] [--work-dir DIR]
#   tools/dist_train.sh configs/pixpro_voc_1pct.py 8
# stage 1  PixPro target pretraining on all 10582 VOC aug training images (labeled + unlabeled), starting from
#          ImageNet weights (plain-stem torchvision ResNet-50), differentiable kornia affine + inverse warp,
#          weight regulariser lambda=1e-2 toward the starting weights;
# stage 2  CutMix mean-teacher finetuning of DeepLabV3+ R50 (OS16) at 1 % labels (data/splits/voc/1pct), its
#          backbone initialised from stage 1's online backbone (extracted by densessl.apis.extract_backbone);
# then     evaluation of the teacher on the 1449 val images (mIoU).
# Each stage runs in <work_dir>/<stage name>/; --resume skips finished stages and resumes the interrupted one.
stages = [
    dict(name='pixpro', config='pixpro/pixpro_r50_8xb128-lars-200e_voc12aug-224x224.py'),
    dict(name='cutmix',
         config='cutmix/cutmix_r50-d16_1xb20-40k_voc12aug-1pct-321x321.py',
         init_backbone_from='pixpro',
         backbone_key='model.segmentor.backbone'),
]
evaluate = True
