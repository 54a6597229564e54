# Table II "IN PixPro -> CutMix" on ISIC 2017, 50 labeled of 2000 images;
# everything else as the 10 config.
_base_ = ['./cutmix_r50-d16-inpixpro_1xb20-40k_isic2017-10-224x224.py']
split = '{{ fileDirname }}/../../data/splits/isic2017/50'
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(_base_.labeled_dataset, ann_file=split + '/labeled.txt'),
        dict(_base_.unlabeled_dataset, ann_file=split + '/unlabeled.txt'),
    ]))
