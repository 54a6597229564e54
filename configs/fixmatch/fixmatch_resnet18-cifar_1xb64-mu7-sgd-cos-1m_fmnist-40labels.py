# FixMatch (Sohn et al. 2020) on Fashion-MNIST with 40 labels (4 per class): the paper's hyperparameters.
# Weak view (flip + crop) -> argmax pseudo-label kept when its probability >= tau = 0.95 -> cross-entropy on the
# strong view (RandAugment + Cutout); lambda_u = 1, B = 64 labeled + mu * B = 448 unlabeled images per batch,
# SGD lr 0.03 (Nesterov, wd 5e-4) with FixMatch's cosine decay over 2^20 iterations, EMA (0.999) for evaluation.
# Fashion-MNIST statistics replace CIFAR's in the preprocessor.
_base_ = [
    '../_base_/models/resnet18-cifar_semi-cls.py', '../_base_/datasets/fmnist_semi.py',
    '../_base_/schedules/fixmatch_sgd_cos_1m.py', '../_base_/default_cls_runtime.py'
]
data_preprocessor = dict(type='mmpretrain.ClsDataPreprocessor', mean=[72.94] * 3, std=[90.02] * 3, to_rgb=False)
model = dict(
    type='FixMatch',  # FixMatch's values (tau 0.95, lambda_u 1, hard labels) are the class defaults
    classifier=dict(data_preprocessor=data_preprocessor),
    data_preprocessor=dict(data_preprocessor=data_preprocessor))
