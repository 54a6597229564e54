# Optimiser of UniMatch's code base (LiheYoung/UniMatch unimatch.py / fixmatch.py, configs/pascal.yaml): SGD momentum
# 0.9, weight decay 1e-4 on every parameter; the backbone at lr, everything else (the decode head) at lr x lr_multi.
# Pascal: lr 0.001, lr_multi 10, for 4 GPUs x (2 labeled + 2 unlabeled) = 8 + 8 images a step; Cityscapes overrides
# lr 0.005, lr_multi 1.
# The poly decay lr x (1 - it / total) ** 0.9 (both groups) needs the number of iterations, which depends on the split
# (UniMatch counts epochs over the unlabeled images): the method config writes `param_scheduler` and `train_cfg`
# (IterBasedTrainLoop) with its own numbers.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.001, momentum=0.9, weight_decay=1e-4),
    # parameter names are student.decode_head.* (teacher.*: frozen) in a semi-supervised segmentor
    paramwise_cfg=dict(custom_keys={'decode_head': dict(lr_mult=10.0)}))
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=2000, max_keep_ckpts=2, save_best='mIoU',
                    rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
