# Named variant (the repository's earlier default, kept for comparison; not French et al.'s recipe): backbone BN
# trained (the student's unlabeled pass leaves the running statistics alone: unsup_bn_stats='frozen'),
# StrongPhotometricAug colour/grey/blur on the student's unlabeled view, one poly-decayed rate for all layers,
# mmseg's scale augmentation. The paper's recipe is the same name without '-trainbn-strongaug-poly' and with
# '-inpixpro' / '-insup' for the start. See configs/README.md.
# CutMix mean teacher (French et al., BMVC 2020) on ISIC 2017, 50 labeled of 2000 training images; everything else
# as the 10 config.
_base_ = ['./cutmix-trainbn-strongaug-poly_r50-d16-insup_1xb8-40k_isic2017-10-256x256.py']
split = '{{ fileDirname }}/../../data/splits/isic2017/50'
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(_base_.labeled_dataset, ann_file=split + '/labeled.txt'),
        dict(_base_.unlabeled_dataset, ann_file=split + '/unlabeled.txt'),
    ]))
