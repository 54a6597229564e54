# UniMatch (Yang et al., CVPR 2023) on ISIC 2017 lesion segmentation, 10 labeled images of the 2000 training images,
# the other 1990 unlabeled; the base of every ISIC UniMatch / FixMatch-seg config. UniMatch has no ISIC setup: this
# is its Pascal recipe (../unimatch/unimatch_r50-d16_1xb16-80e_voc12aug-92-321x321.py: SGD lr 0.001 with the decode
# head at 10x, momentum 0.9, weight decay 1e-4, poly decay; batch 8 labeled + 8 unlabeled; threshold 0.95; two
# CutMix-ed strong views and feature dropout, loss = (L_sup + 0.5 L_fp + 0.25 L_s1 + 0.25 L_s2) / 2; no EMA teacher)
# on the project's ISIC data (configs/_base_/datasets/semi_isic2017_2strong.py: 256x256 crops of images resized to
# 256x256 x U(1.0, 1.5), both flips; validation on the 150 val images at 256x256, mIoU and Dice).
# 80 epochs of ceil(1990 / 4) // 2 = 249 iterations (UniMatch's epoch: the unlabeled images over 4 GPUs x 2),
# evaluated after every epoch, the best checkpoint kept by mIoU.
# Network: DeepLabV3+ ResNet-50 OS16 from torchvision's supervised ImageNet weights (see the VOC config).
_base_ = [
    '../_base_/models/deeplabv3plus_r50-d16.py', '../_base_/datasets/semi_isic2017_2strong.py',
    '../_base_/default_runtime.py', '../_base_/schedules/sgd_poly_unimatch.py'
]
crop_size = (256, 256)
data_preprocessor = dict(_base_.data_preprocessor, size=crop_size)
segmentor = dict(
    _base_.model,
    data_preprocessor=data_preprocessor,
    decode_head=dict(_base_.model.decode_head, num_classes=2),
)
model = dict(
    _delete_=True,
    type='UniMatchSegmentor',
    segmentor=segmentor,
    data_preprocessor=dict(type='MultiBranchDataPreprocessor', data_preprocessor=data_preprocessor))
split = '{{ fileDirname }}/../../data/splits/isic2017/10'
epoch_iters = 249
train_cfg = dict(type='IterBasedTrainLoop', max_iters=80 * epoch_iters, val_interval=epoch_iters)
param_scheduler = [dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=80 * epoch_iters, by_epoch=False)]
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(_base_.labeled_dataset, ann_file=split + '/labeled.txt'),
        dict(_base_.unlabeled_dataset, ann_file=split + '/unlabeled.txt'),
    ]))
