# UniMatch (Yang et al., CVPR 2023) on Pascal VOC 2012 aug, 732 labeled images (UniMatch's "1/2" of the 1464 finely
# annotated VOC train images), the other 9850 training images unlabeled; everything else as
# unimatch_r50-d16_1xb16-80e_voc12aug-92-321x321.py. 80 epochs of 1231 iterations (UniMatch's epoch: the 9850 unlabeled
# images over 4 GPUs x 2, ceil(9850 / 4) // 2).
_base_ = ['./unimatch_r50-d16_1xb16-80e_voc12aug-92-321x321.py']
split = '{{ fileDirname }}/../../data/splits/voc/732'
epoch_iters = 1231
train_cfg = dict(max_iters=80 * epoch_iters, val_interval=epoch_iters)
param_scheduler = [dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=80 * epoch_iters, by_epoch=False)]
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(_base_.labeled_dataset, ann_file=split + '/labeled.txt'),
        dict(_base_.unlabeled_dataset, ann_file=split + '/unlabeled.txt'),
    ]))
