# FixMatch's schedule: SGD (momentum 0.9, Nesterov) lr 0.03, weight decay 5e-4, 2^20 iterations with the decay
# lr * cos(7 pi k / (16 K)): MMEngine's CosineAnnealingLR with eta_min = -lr and T_max = 16 K / 7 is exactly that
# curve (eta_min + (lr - eta_min) (1 + cos) / 2 = lr cos).
max_iters = 2**20
lr = 0.03
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=lr, momentum=0.9, weight_decay=5e-4, nesterov=True),
    paramwise_cfg=dict(bias_decay_mult=0.0, norm_decay_mult=0.0))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=max_iters * 16 / 7, eta_min=-lr, begin=0, end=max_iters, by_epoch=False)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=5000)
# checkpoints keep the best top-1 accuracy; no prediction images (mmpretrain's hook, disabled)
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=5000, max_keep_ckpts=2,
                    save_best='accuracy/top1', rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='mmpretrain.VisualizationHook', enable=False))
