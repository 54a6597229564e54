# Table II "IN PixPro -> CutMix" on Pascal VOC 2012 aug, 5 % labels (~529 of 10582 images);
# everything else as the 1pct config.
_base_ = ['./cutmix_r50-d16-inpixpro_1xb20-40k_voc12aug-1pct-321x321.py']
split = '{{ fileDirname }}/../../data/splits/voc/5pct'
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(_base_.labeled_dataset, ann_file=split + '/labeled.txt'),
        dict(_base_.unlabeled_dataset, ann_file=split + '/unlabeled.txt'),
    ]))
