# Recipe: S4L's "Mix Of All Models" (MOAM, Zhai et al. 2019, Sec. 5) on Fashion-MNIST with 40 labels.
#   1. rotvat:   S4L-Rotation + VAT + EntMin (S4LRotationVAT)
#   2. retrain:  training on the pseudo-labels of the unlabeled images. Differences from the paper, which retrains
#                a network from scratch on the labels predicted by step 1's full model: the recipe hands over only
#                the backbone, so the pseudo-labels come from a linear classifier fitted on step 1's frozen
#                features (AlternatingClassifier phase 1), and the retraining starts from step 1's backbone; pure
#                pseudo-label loss on every unlabeled image (no temporal ensembling, no 2/3 subset, one round,
#                no frozen blocks).
#   3. finetune: the labeled images only, from step 2's backbone, at a 10x lower learning rate.
# `python tools/train.py <this file>` runs them in work_dir/{rotvat,retrain,finetune}.
_step1 = './moam-step1_s4l-rotation-vat-entmin_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py'
_alt = '../alternating/alternating_resnet18-cifar_1xb64-mu7-sgd-cosrestart-58k_fmnist-40labels.py'
stages = [
    dict(name='rotvat', config=_step1),
    dict(
        name='retrain',
        config=_alt,
        init_backbone_from='rotvat',
        backbone_key='model.classifier.backbone',
        cfg_options={
            'model.semi_train_cfg.te_weight': 0.0,
            'model.semi_train_cfg.pl_weight': 1.0,
            'model.semi_train_cfg.subset_ratio': 1.0,
            'model.semi_train_cfg.num_rounds': 1,
            'model.semi_train_cfg.frozen_stages': -1,
            'train_cfg.max_iters': 2000 + 200 * 134,
            'param_scheduler': [dict(type='CosineRestartLR', periods=[2000, 200 * 134], restart_weights=[1.0, 1.0],
                                     eta_min=0.0, by_epoch=False)],
        }),
    dict(
        name='finetune',
        config='../supervised_cls/supervised_resnet18-cifar_1xb64-sgd-cos-1m_fmnist-40labels.py',
        init_backbone_from='retrain',
        backbone_key='model.classifier.backbone',
        cfg_options={
            'optim_wrapper.optimizer.lr': 0.003,
            'train_cfg.max_iters': 20000,
            'param_scheduler': [dict(type='CosineAnnealingLR', T_max=20000, eta_min=0.0, by_epoch=False)],
        }),
]
evaluate = True
