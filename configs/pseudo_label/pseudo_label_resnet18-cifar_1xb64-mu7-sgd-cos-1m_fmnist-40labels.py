# Pseudo-Label (Lee 2013), thresholded as in TorchSSL/USB, on Fashion-MNIST with 40 labels: the student's argmax
# on the weak view of each unlabeled image is its own target when its probability >= 0.95; the unlabeled weight
# ramps linearly to 1 over the first 40 % of the 2^20 iterations. Same data, batch (64 + 7 x 64) and schedule as
# FixMatch; unlabeled images need only the weak view.
_base_ = ['../fixmatch/fixmatch_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py']  # data, network, schedule
model = dict(
    type='PseudoLabel',
    # the class holds the threshold 0.95, weight 1 and linear ramp; the ramp's length depends on the schedule
    semi_train_cfg=dict(rampup_iters=int(0.4 * 2**20)))
unlabeled_pipeline = _base_.weak_unlabeled_pipeline
train_dataloader = dict(
    dataset=dict(datasets=[_base_.labeled_dataset, dict(_base_.unlabeled_dataset, pipeline=unlabeled_pipeline)]))
