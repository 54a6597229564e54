# Target pretraining + UniMatch on the embedded demo data (Fashion-MNIST scenes) at 5 % labels, CPU-sized:
#   python tools/train.py configs/pixpro_unimatch_demo_5pct.py [--resume]
# stage 1  the starting weights: supervised DeepLabV3+ R18 on the *source* scenes (the demo's stand-in for the
#          ImageNet weights, which cannot be downloaded here), as configs/pixpro_demo_5pct.py; cached: trained once
#          per machine;
# stage 2  PixPro target pretraining (150 iterations) on all 1000 demo training scenes from stage 1's backbone, with
#          the differentiable affine + inverse warp and the weight regulariser toward stage 1's weights;
# stage 3  UniMatch finetuning of DeepLabV3+ R18 (1000 iterations, 50 labeled + 950 unlabeled scenes), backbone from
#          stage 2;
# then     evaluation of the model on the 200 validation scenes (mIoU, mDice).
# The same recipe as configs/pixpro_unimatch_voc_1pct.py, the paper-scale one, with stage 1 in place of ImageNet.
_base_ = ['./pixpro_demo_5pct.py']  # stages 1 and 2 (cached source, PixPro 150 iterations) as that recipe's
stages = _base_.stages[:2] + [
    dict(name='unimatch',
         config='unimatch/unimatch_r18-d16_1xb16-1k_demo-5pct-96x96.py',
         init_backbone_from='pixpro',
         backbone_key='model.segmentor.backbone'),
]
