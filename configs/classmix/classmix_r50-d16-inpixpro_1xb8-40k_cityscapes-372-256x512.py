# Table II "IN PixPro -> ClassMix" on Cityscapes, 372 labeled of 2975 images;
# everything else as the 100 config.
_base_ = ['./classmix_r50-d16-inpixpro_1xb8-40k_cityscapes-100-256x512.py']
split = '{{ fileDirname }}/../../data/splits/cityscapes/372'
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(_base_.labeled_dataset, ann_file=split + '/labeled.txt'),
        dict(_base_.unlabeled_dataset, ann_file=split + '/unlabeled.txt'),
    ]))
