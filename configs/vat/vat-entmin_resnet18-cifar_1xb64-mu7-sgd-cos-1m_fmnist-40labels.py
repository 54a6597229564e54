# VAT + entropy minimisation (Miyato et al. 2018) on Fashion-MNIST with 40 labels, USB's hyperparameters and form
# (semilearn vat.py: "sup_loss + lambda_u * unsup_loss * unsup_warmup + lambda_ent * loss_entmin"): one power
# iteration with xi = 1e-6, perturbation norm eps = 6 (normalised input space), VAT weight 0.3 ramped linearly over
# the first 40 % of training, entropy weight 0.06 without the ramp. Same data, batch and schedule as FixMatch;
# unlabeled images need only the weak view. Plain VAT: semi_train_cfg.entmin_weight = 0.
_base_ = ['../fixmatch/fixmatch_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py']  # data, network, schedule
model = dict(
    type='VAT',
    # the class defaults are plain VAT (xi 1e-6, eps 6, one power iteration, no entropy term, weight 1): USB's
    # VAT+EntMin weights and the ramp's length (it depends on the schedule) are set here
    semi_train_cfg=dict(entmin_weight=0.06, unsup_weight=0.3, rampup_iters=int(0.4 * 2**20)))
unlabeled_pipeline = _base_.weak_unlabeled_pipeline
train_dataloader = dict(
    dataset=dict(datasets=[_base_.labeled_dataset, dict(_base_.unlabeled_dataset, pipeline=unlabeled_pipeline)]))
