# The whole method on Pascal VOC 2012 aug at 1 % labels, as one command (Xu et al., "Revisiting pretraining for
# semi-supervised learning in the low-label regime"), Table II's "IN PixPro -> target PixPro -> CutMix" row:
#   python tools/train.py configs/pixpro_voc_1pct.py [--resume] [--work-dir DIR]
#   tools/dist_train.sh configs/pixpro_voc_1pct.py 1
# before   convert PixPro's ImageNet release once ("IN PixPro"; zdaxie/PixPro README):
#            python tools/model_converters/pixpro2mmseg.py pixpro_base_r50_400ep_md5_<hash>.pth \
#                checkpoints/pixpro_base_r50_400ep_backbone.pth
# stage 1  PixPro target pretraining on all 10582 VOC aug training images (labeled + unlabeled) from those weights
#          (plain-stem ResNet-50), differentiable kornia affine + inverse warp, weight regulariser lambda=1e-2 toward
#          them; batch 8, base lr 0.1 per 256 images (auto-scaled), 200 epochs (seed 003);
# stage 2  CutMix mean-teacher finetuning of DeepLabV3+ R50 (OS16) at 1 % labels (data/splits/voc/1pct) with French
#          et al.'s recipe, its backbone initialised from stage 1's online backbone (densessl.apis.extract_backbone);
# then     evaluation of the teacher on the 1449 val images (mIoU).
# Each stage runs in <work_dir>/<stage name>/; --resume skips finished stages and resumes the interrupted one.
# Every other Table II row (ClassMix, Sup, other splits and datasets) is a recipe in configs/table2/.
stages = [
    dict(name='pixpro', config='pixpro/pixpro_r50_1xb8-lars-200e_voc12aug-224x224.py'),
    dict(name='cutmix',
         config='cutmix/cutmix_r50-d16-pixpro_1xb20-40k_voc12aug-1pct-321x321.py',
         init_backbone_from='pixpro',
         backbone_key='model.segmentor.backbone'),
]
evaluate = True
