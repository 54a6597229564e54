# Table II "IN PixPro -> ClassMix" on Pascal VOC 2012 aug, 2 % labels (~212 of 10582 images);
# everything else as the 1pct config.
_base_ = ['./classmix_r50-d16-inpixpro_1xb20-40k_voc12aug-1pct-321x321.py']
split = '{{ fileDirname }}/../../data/splits/voc/2pct'
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(_base_.labeled_dataset, ann_file=split + '/labeled.txt'),
        dict(_base_.unlabeled_dataset, ann_file=split + '/unlabeled.txt'),
    ]))
