# Target pretraining schedule of BYOL (Xu et al., seed 003, Sec. "Implementation details": "We reduce the learning
# rate 10 times from the default ImageNet experiments"; for BYOL: batch size 256, base learning rate 0.3, 300
# epochs). The rate is per 256 images and `auto_scale_lr` (enabled) scales it to the real total batch
# (GPUs x batch per GPU) when the run starts. LARS with BYOL's weight decay 1.5e-6 (Grill et al.), BN and biases
# excluded from LARS and decay, 10 warm-up epochs, then cosine decay.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='mmpretrain.LARS', lr=0.3, momentum=0.9, weight_decay=1.5e-6),  # base lr per 256 images
    paramwise_cfg=dict(custom_keys={
        'bn': dict(decay_mult=0, lars_exclude=True),
        'bias': dict(decay_mult=0, lars_exclude=True),
        'downsample.1': dict(decay_mult=0, lars_exclude=True),
    }))
auto_scale_lr = dict(enable=True, base_batch_size=256)
max_epochs = 300
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=10, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=max_epochs - 10, by_epoch=True, begin=10,
         end=max_epochs, convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
custom_hooks = [dict(type='MomentumScheduleHook', start=0.99, end=1.0)]  # BYOL: tau from tau_base to 1 (cosine)
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=True),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=True, interval=20, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
