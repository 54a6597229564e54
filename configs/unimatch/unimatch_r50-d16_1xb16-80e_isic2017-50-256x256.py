# UniMatch (Yang et al., CVPR 2023) on ISIC 2017, 50 labeled images (of the 2000 training images), the other 1950
# training images unlabeled; everything else as unimatch_r50-d16_1xb16-80e_isic2017-10-256x256.py. 80 epochs of 244
# iterations (UniMatch's epoch: the 1950 unlabeled images over 4 GPUs x 2, ceil(1950 / 4) // 2).
_base_ = ['./unimatch_r50-d16_1xb16-80e_isic2017-10-256x256.py']
split = '{{ fileDirname }}/../../data/splits/isic2017/50'
epoch_iters = 244
train_cfg = dict(max_iters=80 * epoch_iters, val_interval=epoch_iters)
param_scheduler = [dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=80 * epoch_iters, by_epoch=False)]
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(_base_.labeled_dataset, ann_file=split + '/labeled.txt'),
        dict(_base_.unlabeled_dataset, ann_file=split + '/unlabeled.txt'),
    ]))
