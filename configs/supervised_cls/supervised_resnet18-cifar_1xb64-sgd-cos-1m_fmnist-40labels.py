# Supervised-only baseline of the Fashion-MNIST 40-label experiments: the same classifier, weak augmentation,
# labeled batch (64), optimiser, schedule and EMA evaluation model as FixMatch, without the unlabeled images.
_base_ = [
    '../_base_/models/resnet18-cifar_semi-cls.py', '../_base_/datasets/fmnist_semi.py',
    '../_base_/schedules/fixmatch_sgd_cos_1m.py', '../_base_/default_cls_runtime.py'
]
data_preprocessor = dict(type='mmpretrain.ClsDataPreprocessor', mean=[72.94] * 3, std=[90.02] * 3, to_rgb=False)
model = dict(
    type='SemiBaseClassifier',
    classifier=dict(data_preprocessor=data_preprocessor),
    data_preprocessor=dict(data_preprocessor=data_preprocessor))
train_dataloader = dict(
    _delete_=True,
    batch_size=_base_.batch_size,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=_base_.labeled_dataset)
