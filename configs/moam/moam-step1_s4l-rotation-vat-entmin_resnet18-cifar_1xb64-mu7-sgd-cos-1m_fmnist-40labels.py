# MOAM step 1 (S4L, Zhai et al. 2019, Sec. 5): S4L-Rotation trained jointly with VAT and entropy minimisation on
# Fashion-MNIST with 40 labels. MOAM's loss weights (seed 001: w_sup 0.3, w_rot 0.7, w_vat 0.3, w_entmin 0.3); the
# rotation and entropy terms are not ramped, VAT's weight is ramped over 40 % of training (xi 1e-6, eps 6, one power
# iteration). Same data, batch and schedule as FixMatch; weak unlabeled views only.
_base_ = ['../fixmatch/fixmatch_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py']  # data, network, schedule
model = dict(
    type='S4LRotationVAT',
    # the class holds MOAM's weights (seed 001), every rotation, VAT's xi / eps / power iteration and the linear
    # ramp; the ramp's length depends on the schedule
    semi_train_cfg=dict(rampup_iters=int(0.4 * 2**20)))
unlabeled_pipeline = _base_.weak_unlabeled_pipeline
train_dataloader = dict(
    dataset=dict(datasets=[_base_.labeled_dataset, dict(_base_.unlabeled_dataset, pipeline=unlabeled_pipeline)]))
