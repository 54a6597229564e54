# S4L-Rotation (Zhai et al. 2019) on Fashion-MNIST with 40 labels: every labeled and unlabeled image in its 4
# rotations; supervised cross-entropy on all rotated labeled copies + a 4-way rotation loss (linear head on the
# pooled features, weight 1) on every copy. Same data, batch (64 + 7 x 64, weak views only) and schedule as FixMatch.
_base_ = ['../fixmatch/fixmatch_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py']  # data, network, schedule
model = dict(type='S4LRotation')  # S4L's values (weight 1, all rotations): class defaults
unlabeled_pipeline = _base_.weak_unlabeled_pipeline
train_dataloader = dict(
    dataset=dict(datasets=[_base_.labeled_dataset, dict(_base_.unlabeled_dataset, pipeline=unlabeled_pipeline)]))
