# The whole method on the embedded demo data (Fashion-MNIST scenes) at 5 % labels, CPU-sized:
#   python tools/train.py configs/pixpro_demo_5pct.py [--resume]
# stage 1  the starting weights: the method starts from ImageNet weights, which cannot be downloaded here, so the
#          demo trains its own generic start, supervised DeepLabV3+ R18 on the *source* scenes (the six Fashion-MNIST
#          classes that are not demo classes, 1000 fully labeled scenes, 2000 iterations); cached: it trains once per
#          machine and later runs copy it from ~/.cache/densessl/stages/ (DENSESSL_STAGE_CACHE=refresh retrains it);
# stage 2  PixPro target pretraining (150 iterations) on all 1000 demo training scenes from stage 1's backbone, with
#          the differentiable affine + inverse warp and the weight regulariser toward stage 1's weights;
# stage 3  CutMix mean-teacher finetuning of DeepLabV3+ R18 (1000 iterations, 50 labeled + 950 unlabeled scenes),
#          backbone from stage 2;
# then     evaluation of the teacher on the 200 validation scenes (mIoU, mDice), and each stage's wall time.
# The same recipe as configs/pixpro_voc_1pct.py, the paper-scale one, with stage 1 in place of the ImageNet file.
stages = [
    dict(name='source', config='deeplabv3plus/deeplabv3plus_r18-d16_1xb8-2k_demo-source-96x96.py',
         cache=True),  # once per machine: ~/.cache/densessl/stages/source-<key>/
    dict(name='pixpro',
         config='pixpro/pixpro_r18-d16_1xb32-150it_demo-96x96.py',
         init_backbone_from='source',
         backbone_key='model.backbone'),
    dict(name='cutmix',
         config='cutmix/cutmix_r18-d16_1xb16-1k_demo-5pct-96x96.py',
         init_backbone_from='pixpro',
         backbone_key='model.segmentor.backbone'),
]
evaluate = True
