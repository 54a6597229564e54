# Supervised-only baseline of the Fashion-MNIST 40-label experiments: the same classifier, weak augmentation,
# labeled batch (64), optimiser, schedule and EMA evaluation model as FixMatch, without the unlabeled images.
_base_ = ['../fixmatch/fixmatch_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py']  # data, network, schedule
model = dict(type='SemiBaseClassifier')  # the supervised baseline: the labeled images only
train_dataloader = dict(
    _delete_=True,
    batch_size=_base_.batch_size,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=_base_.labeled_dataset)
