# French et al.'s ISIC 2017 optimisation (Britefury/cutmix-semisup-seg, run_isic2017_experiments.sh):
# "--batch_size=10 --iters_per_epoch=400 --num_epochs=100 --opt_type=sgd --learning_rate=0.1 --sgd_weight_decay=5e-4
# --lr_sched=poly" (momentum 0.9 and poly power 0.9 are the script's defaults), the pretrained backbone at 0.1x the
# rate of the new layers (train_seg_semisup_mask_mt.py): 40k iterations.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}))
param_scheduler = [dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=40000, by_epoch=False)]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=40000, val_interval=400)
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
