# UniMatch (Yang et al., CVPR 2023) on Cityscapes, 372 labeled images (1/8 of the 2975 training images), the other 2603
# training images unlabeled; everything else as unimatch_r50-d16_1xb16-240e_cityscapes-186-801x801.py. 240 epochs of
# 325 iterations (UniMatch's epoch: the 2603 unlabeled images over 4 GPUs x 2, ceil(2603 / 4) // 2).
_base_ = ['./unimatch_r50-d16_1xb16-240e_cityscapes-186-801x801.py']
split = '{{ fileDirname }}/../../data/splits/cityscapes/372'
epoch_iters = 325
train_cfg = dict(max_iters=240 * epoch_iters, val_interval=epoch_iters)
param_scheduler = [dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=240 * epoch_iters, by_epoch=False)]
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(_base_.labeled_dataset, ann_file=split + '/labeled.txt'),
        dict(_base_.unlabeled_dataset, ann_file=split + '/unlabeled.txt'),
    ]))
