# Table I "FixMatch", SVHN with 250 labels (25 per class, as CIFAR-10's 250-label row; the issue names the dataset,
# not the count: change `split` for 40 or 1000). FixMatch's SVHN views (no horizontal flip,
# configs/_base_/datasets/svhn_semi.py), SVHN pixel statistics, everything else as the CIFAR-10 config.
# Split files: python tools/make_cls_splits.py svhn --data-root data/svhn --num 250
_base_ = [
    '../_base_/models/resnet18-cifar_semi-cls.py', '../_base_/datasets/svhn_semi.py',
    '../_base_/schedules/fixmatch_sgd_cos_1m.py', '../_base_/default_cls_runtime.py'
]
data_preprocessor = dict(type='mmpretrain.ClsDataPreprocessor', mean=[111.61, 113.16, 120.57],
                         std=[50.50, 51.26, 50.24], to_rgb=False)  # SVHN training-set statistics
model = dict(
    type='FixMatch',  # FixMatch's values (tau 0.95, lambda_u 1, hard labels) are the class defaults
    classifier=dict(data_preprocessor=data_preprocessor),
    data_preprocessor=dict(data_preprocessor=data_preprocessor))
split = '{{ fileDirname }}/../../data/splits/svhn/250labels'
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(_base_.labeled_dataset, split_file=split + '/labeled.txt'),
        dict(_base_.unlabeled_dataset, split_file=split + '/unlabeled.txt'),
    ]))
