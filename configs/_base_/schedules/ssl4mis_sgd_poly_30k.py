# The ACDC schedule (SSL4MIS's, which UniMatch's medical code follows): SGD lr 0.01, momentum 0.9, weight decay 1e-4,
# poly decay (power 0.9) over 30k iterations; evaluated per volume every 1000 iterations, the best mean Dice kept.
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4))
param_scheduler = [dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=30000, by_epoch=False)]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=30000, val_interval=1000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=1000, max_keep_ckpts=1, save_best='mDice',
                    rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
