# The whole method on the embedded demo data (Fashion-MNIST scenes) at 5 % labels, CPU-sized (~15 min on 2 cores):
#   python tools/train.py configs/pixpro_demo_5pct.py [--resume]
# stage 1  PixPro target pretraining (300 iterations) on all 1000 demo training scenes, with the differentiable
#          affine + inverse warp and the weight regulariser toward the starting weights;
# stage 2  CutMix mean-teacher finetuning of DeepLabV3+ R18 (1000 iterations, 50 labeled + 950 unlabeled scenes),
#          backbone from stage 1;
# then     evaluation of the teacher on the 200 validation scenes (mIoU, mDice).
# The same recipe as configs/pixpro_voc_1pct.py, the paper-scale one.
stages = [
    dict(name='pixpro', config='pixpro/pixpro_r18-d16_1xb32-300it_demo-96x96.py'),
    dict(name='cutmix',
         config='cutmix/cutmix_r18-d16_1xb16-1k_demo-5pct-96x96.py',
         init_backbone_from='pixpro',
         backbone_key='model.segmentor.backbone'),
]
evaluate = True
