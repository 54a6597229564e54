# Named variant (the repository's earlier default, kept for comparison; not French et al.'s recipe): backbone BN
# trained (the student's unlabeled pass leaves the running statistics alone: unsup_bn_stats='frozen'),
# StrongPhotometricAug colour/grey/blur on the student's unlabeled view, one poly-decayed rate for all layers,
# mmseg's scale augmentation. The paper's recipe is the same name without '-trainbn-strongaug-poly' and with
# '-inpixpro' / '-insup' for the start. See configs/README.md.
# ClassMix mean teacher (Olsson et al., WACV 2021) on Cityscapes, 372 labeled of 2975 training images; everything
# else as the 100 config.
_base_ = ['./classmix-trainbn-strongaug-poly_r50-d16-insup_1xb8-40k_cityscapes-100-256x512.py']
split = '{{ fileDirname }}/../../data/splits/cityscapes/372'
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(_base_.labeled_dataset, ann_file=split + '/labeled.txt'),
        dict(_base_.unlabeled_dataset, ann_file=split + '/unlabeled.txt'),
    ]))
