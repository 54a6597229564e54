# Table I "FixMatch", CIFAR-10 with 250 labels (25 per class): FixMatch (Sohn et al. 2020) with its paper's
# hyperparameters: weak (flip + shift) / strong (RandAugment + Cutout) views, tau = 0.95, lambda_u = 1,
# B = 64 labeled + mu * B = 448 unlabeled per batch, SGD lr 0.03 (Nesterov, momentum 0.9, wd 5e-4) with FixMatch's
# cosine decay over 2^20 iterations, EMA 0.999 model evaluated. Backbone: the repository's CIFAR ResNet-18 (3x3 stem)
# with a linear head, the network the BYOL target-pretraining configs train (FixMatch's WRN-28-2 is not in
# mmpretrain). "BYOL -> FixMatch" (target pretraining first): configs/table1/byol-fixmatch_cifar10-250labels.py.
# Split files: python tools/make_cls_splits.py cifar10 --data-root data/cifar10 --num 250 4000
_base_ = [
    '../_base_/models/resnet18-cifar_semi-cls.py', '../_base_/datasets/cifar10_semi.py',
    '../_base_/schedules/fixmatch_sgd_cos_1m.py', '../_base_/default_cls_runtime.py'
]
model = dict(type='FixMatch')  # FixMatch's values (tau 0.95, lambda_u 1, hard labels) are the class defaults
split = '{{ fileDirname }}/../../data/splits/cifar10/250labels'
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(_base_.labeled_dataset, split_file=split + '/labeled.txt'),
        dict(_base_.unlabeled_dataset, split_file=split + '/unlabeled.txt'),
    ]))
