# Alternating optimisation (Rebuffi et al., "Semi-Supervised Learning with Scarce Annotations", Sec. 3.3, seed 000)
# on Fashion-MNIST with 40 labels, from self-supervised (RotNet) weights: use the recipe
# alternating-rotnet_resnet18-cifar_fmnist-40labels.py, which hands the RotNet backbone to this stage.
# 2 cycles of 28 800 iterations, each:
#   phase 1 (2 000 it):  linear classifier refitted on the frozen features, labeled images only
#   refresh:             pseudo-labels of all unlabeled images by the phase-1 network (PseudoLabelRefreshHook, test
#                        pipeline), the cycle's random 2/3 of the unlabeled set drawn (cycle 2, the last: all of it),
#                        weights reset to the pretext weights, optimiser state cleared
#   phase 2 (26 800 it = 200 epochs of the unlabeled set): the unlabeled losses only, "one loss at a time":
#                        0.5 KL to the previous epoch's predictions + 0.5 CE to the pseudo-labels
#                        (134 it = one pass of 59 960 images at 448 per batch)
# The stem and the first stage stay frozen at the RotNet weights throughout ("the first blocks stay frozen").
# Same data, batch (64 labeled + 7 x 64 unlabeled, weak view only) and SGD as FixMatch; the learning rate restarts
# its cosine decay at each phase (CosineRestartLR). 57 600 iterations.
_base_ = ['../fixmatch/fixmatch_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py']  # data, network, schedule
num_unlabeled = 59960  # lines of data/splits/fashion_mnist/40labels/unlabeled.txt
phase1_iters = 2000
epoch_iters = 134
phase2_iters = 200 * epoch_iters
num_rounds = 2
max_iters = num_rounds * (phase1_iters + phase2_iters)
model = dict(
    type='AlternatingClassifier',
    # the class holds Rebuffi et al.'s values (2/3 subset per cycle, the last cycle on every unlabeled image, the stem
    # and first stage frozen, 0.5 KL + 0.5 pseudo-label CE); the set's size and the cycle lengths are this run's
    semi_train_cfg=dict(
        num_samples=num_unlabeled,
        phase1_iters=phase1_iters,
        phase2_iters=phase2_iters,
        num_rounds=num_rounds,
        epoch_iters=epoch_iters))
unlabeled_pipeline = _base_.weak_unlabeled_pipeline
train_dataloader = dict(
    dataset=dict(datasets=[_base_.labeled_dataset, dict(_base_.unlabeled_dataset, pipeline=unlabeled_pipeline)]))
# the unlabeled set as the refresh hook predicts it: no augmentation, fixed order
refresh_dataloader = dict(
    batch_size=256,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(_base_.unlabeled_dataset, pipeline=_base_.test_pipeline))
custom_hooks = [
    dict(type='MeanTeacherHook', teacher_momentum=0.999),
    dict(type='PseudoLabelRefreshHook', dataloader=refresh_dataloader),
]
custom_imports = dict(imports=_base_.custom_imports.imports + ['densessl.engine.hooks.pseudo_label_refresh_hook'])
param_scheduler = [
    dict(type='CosineRestartLR', periods=[phase1_iters, phase2_iters] * num_rounds,
         restart_weights=[1.0] * (2 * num_rounds), eta_min=0.0, by_epoch=False)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=epoch_iters * 20)
