# French et al.'s CutMix optimisation for Pascal VOC and Cityscapes, read from their official code
# (Britefury/cutmix-semisup-seg, train_seg_semisup_mask_mt.py and run_*_experiments.sh):
# - Adam (default --opt_type adam) with the pretrained backbone at 0.1x the rate of the new layers:
#   "dict(params=student_net.pretrained_parameters(), lr=learning_rate * 0.1), dict(params=...new_parameters(),
#   lr=learning_rate)"  -> paramwise_cfg lr_mult 0.1 on every parameter whose name contains 'backbone';
# - constant rate: --lr_sched default 'none' (no scheduler);
# - "--iters_per_epoch=1000 --num_epochs=40": 40k iterations; VOC "--learning_rate=1e-5" (Cityscapes configs set
#   their "--learning_rate=3e-5").
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='Adam', lr=1e-5, betas=(0.9, 0.999)),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}))
param_scheduler = []  # constant
train_cfg = dict(type='IterBasedTrainLoop', max_iters=40000, val_interval=1000)
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
