# UniMatch (Yang et al., CVPR 2023) on Cityscapes, 186 labeled images (1/16 of the 2975 training images), the other
# 2789 unlabeled: the Cityscapes recipe of the official code (LiheYoung/UniMatch configs/cityscapes.yaml, unimatch.py,
# training-logs/Cityscapes/ResNet-50/1_16.log), the base of every Cityscapes UniMatch / FixMatch-seg config.
# - data (configs/_base_/datasets/semi_cityscapes_2strong.py): full-resolution images rescaled x U(0.5, 2.0), 801x801
#   crops, batch 8 labeled + 8 unlabeled (UniMatch: 2 + 2 per GPU x 4 GPUs; on N GPUs set
#   train_dataloader.batch_size and its sampler's to 16 / N), two strong views per unlabeled image;
# - evaluation: the 500 val images at 2048x1024, sliding 801x801 windows with stride 534 (UniMatch's 2/3 of a crop);
# - labeled loss: OHEM cross-entropy (thresh 0.7; UniMatch keeps >= 200000 pixels of the 2 labeled images on a GPU,
#   mmseg's OHEMPixelSampler counts min_kept per image: 100000). mmseg averages the kept pixels' loss over all valid
#   pixels (avg_non_ignore) where UniMatch's ProbOhemCrossEntropy2d averages over the kept ones: the supervised
#   term is smaller here by the kept share until densessl has an OHEM loss with that reduction;
# - optimiser (configs/_base_/schedules/sgd_poly_unimatch.py with Cityscapes' values): SGD lr 0.005, momentum 0.9,
#   weight decay 1e-4, decode head at 1x (lr_multi 1), poly decay (power 0.9) per iteration;
# - 240 epochs of ceil(2789 / 4) // 2 = 349 iterations (UniMatch's epoch on 4 GPUs x 2 unlabeled images; its log's
#   count), evaluated after every epoch, the best checkpoint kept by mIoU;
# - confidence threshold 0: UniMatch's current configs/cityscapes.yaml sets conf_thresh 0 (its README: "we change
#   the confidence threshold from 0.95 to 0", the setting of its Cityscapes table), so every valid pixel of the
#   weak prediction is a target; everything else of UniMatch as in
#   ../unimatch/unimatch_r50-d16_1xb16-80e_voc12aug-92-321x321.py (two CutMix-ed strong views, feature dropout,
#   loss = (L_sup + 0.5 L_fp + 0.25 L_s1 + 0.25 L_s2) / 2, no EMA teacher, the model predicts).
# Network: DeepLabV3+ ResNet-50 OS16 from torchvision's supervised ImageNet weights, as the VOC configs (UniMatch's
# ResNet-50 has a deep 64-64-128 stem and a plain 256-channel ASPP head; its README reports 75.0 mIoU at 1/16 with it).
_base_ = [
    '../_base_/models/deeplabv3plus_r50-d16.py', '../_base_/datasets/semi_cityscapes_2strong.py',
    '../_base_/default_runtime.py', '../_base_/schedules/sgd_poly_unimatch.py'
]
crop_size = (801, 801)
data_preprocessor = dict(_base_.data_preprocessor, size=crop_size)
segmentor = dict(
    _base_.model,
    data_preprocessor=data_preprocessor,
    decode_head=dict(
        _base_.model.decode_head,
        num_classes=19,
        sampler=dict(type='OHEMPixelSampler', thresh=0.7, min_kept=100000),
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0, avg_non_ignore=True)),
    test_cfg=dict(mode='slide', crop_size=crop_size, stride=(534, 534)),
)
model = dict(
    _delete_=True,
    type='UniMatchSegmentor',
    segmentor=segmentor,
    data_preprocessor=dict(type='MultiBranchDataPreprocessor', data_preprocessor=data_preprocessor),
    # UniMatch's cityscapes.yaml: conf_thresh 0, not the 0.95 of its Pascal setup (the class default)
    semi_train_cfg=dict(confidence=dict(threshold=0.0)))
optim_wrapper = dict(optimizer=dict(lr=0.005), paramwise_cfg=dict(custom_keys={'decode_head': dict(lr_mult=1.0)}))
split = '{{ fileDirname }}/../../data/splits/cityscapes/186'
epoch_iters = 349
train_cfg = dict(type='IterBasedTrainLoop', max_iters=240 * epoch_iters, val_interval=epoch_iters)
param_scheduler = [dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=240 * epoch_iters, by_epoch=False)]
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(_base_.labeled_dataset, ann_file=split + '/labeled.txt'),
        dict(_base_.unlabeled_dataset, ann_file=split + '/unlabeled.txt'),
    ]))
