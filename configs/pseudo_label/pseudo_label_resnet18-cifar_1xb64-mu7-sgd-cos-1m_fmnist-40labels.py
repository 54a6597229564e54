# Pseudo-Label (Lee 2013), thresholded as in TorchSSL/USB, on Fashion-MNIST with 40 labels: the student's argmax
# on the weak view of each unlabeled image is its own target when its probability >= 0.95; the unlabeled weight
# ramps linearly to 1 over the first 40 % of the 2^20 iterations. Same data, batch (64 + 7 x 64) and schedule as
# FixMatch; unlabeled images need only the weak view.
_base_ = [
    '../_base_/models/resnet18-cifar_semi-cls.py', '../_base_/datasets/fmnist_semi.py',
    '../_base_/schedules/fixmatch_sgd_cos_1m.py', '../_base_/default_cls_runtime.py'
]
data_preprocessor = dict(type='mmpretrain.ClsDataPreprocessor', mean=[72.94] * 3, std=[90.02] * 3, to_rgb=False)
model = dict(
    type='PseudoLabel',
    classifier=dict(data_preprocessor=data_preprocessor),
    data_preprocessor=dict(data_preprocessor=data_preprocessor),
    # the class holds the threshold 0.95, weight 1 and linear ramp; the ramp's length depends on the schedule
    semi_train_cfg=dict(rampup_iters=int(0.4 * 2**20)))
unlabeled_pipeline = [
    dict(type='GrayToRGB'),
    dict(type='MultiBranch', branch_field=_base_.branch_field, unsup_teacher=_base_.weak_pipeline + [_base_.pack]),
]
train_dataloader = dict(
    dataset=dict(datasets=[_base_.labeled_dataset, dict(_base_.unlabeled_dataset, pipeline=unlabeled_pipeline)]))
