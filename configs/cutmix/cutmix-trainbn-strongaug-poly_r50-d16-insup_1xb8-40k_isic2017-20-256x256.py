# CutMix mean teacher (French et al., BMVC 2020) on ISIC 2017, 20 labeled of 2000 training images; everything else
# as the 10 config.
_base_ = ['./cutmix_r50-d16_1xb8-40k_isic2017-10-256x256.py']
split = '{{ fileDirname }}/../../data/splits/isic2017/20'
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(_base_.labeled_dataset, ann_file=split + '/labeled.txt'),
        dict(_base_.unlabeled_dataset, ann_file=split + '/unlabeled.txt'),
    ]))
