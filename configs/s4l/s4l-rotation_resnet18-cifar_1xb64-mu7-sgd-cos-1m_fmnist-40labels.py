# S4L-Rotation (Zhai et al. 2019) on Fashion-MNIST with 40 labels: every labeled and unlabeled image in its 4
# rotations; supervised cross-entropy on all rotated labeled copies + a 4-way rotation loss (linear head on the
# pooled features, weight 1) on every copy. Same data, batch (64 + 7 x 64, weak views only) and schedule as FixMatch.
_base_ = [
    '../_base_/models/resnet18-cifar_semi-cls.py', '../_base_/datasets/fmnist_semi.py',
    '../_base_/schedules/fixmatch_sgd_cos_1m.py', '../_base_/default_cls_runtime.py'
]
data_preprocessor = dict(type='mmpretrain.ClsDataPreprocessor', mean=[72.94] * 3, std=[90.02] * 3, to_rgb=False)
model = dict(
    type='S4LRotation',
    classifier=dict(data_preprocessor=data_preprocessor),
    data_preprocessor=dict(data_preprocessor=data_preprocessor))  # S4L's values (weight 1, all rotations): class defaults
unlabeled_pipeline = [
    dict(type='GrayToRGB'),
    dict(type='MultiBranch', branch_field=_base_.branch_field, unsup_teacher=_base_.weak_pipeline + [_base_.pack]),
]
train_dataloader = dict(
    dataset=dict(datasets=[_base_.labeled_dataset, dict(_base_.unlabeled_dataset, pipeline=unlabeled_pipeline)]))
