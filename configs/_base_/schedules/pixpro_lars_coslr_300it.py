# PixPro's optimiser (pixpro_lars_coslr.py) for the CPU-sized demo: LARS at PixPro's base rate 1.0 per 256 images,
# i.e. 0.125 at the demo's batch of 32 (written out: no auto_scale_lr), weight decay 1e-5, BN and biases excluded;
# 300 iterations, 20 of linear warm-up then cosine to 0; log every 10 iterations, one checkpoint at the end.
max_iters = 300
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='mmpretrain.LARS', lr=0.125, momentum=0.9, weight_decay=1e-5),
    paramwise_cfg=dict(custom_keys={
        'bn': dict(decay_mult=0, lars_exclude=True),
        'bias': dict(decay_mult=0, lars_exclude=True),
        'downsample.1': dict(decay_mult=0, lars_exclude=True),
    }))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=20),
    dict(type='CosineAnnealingLR', T_max=max_iters - 20, eta_min=0., by_epoch=False, begin=20, end=max_iters),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters)
custom_hooks = [dict(type='MomentumScheduleHook', start=0.99, end=1.0)]  # teacher weight 0.99 -> 1 (cosine)
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=10, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=max_iters, max_keep_ckpts=1),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
