# Target pretraining schedule of PixPro (Xu et al., seed 003, Sec. "Implementation details"):
#   "We reduce the learning rate 10 times from the default ImageNet experiments ... For PixPro ... batchsize 8,
#    base learning rate 0.1, momentum 0.9 and total epochs 200 ... LARS"
# PixPro's ImageNet default is --base-lr 1.0 ("base learning when batch size = 256. final lr is determined by linear
# scale", zdaxie/PixPro contrast/option.py; tools/pixpro_base_r50_400ep.sh), so 0.1 here is the rate per 256 images
# and `auto_scale_lr` (enabled) multiplies it by (GPUs x batch per GPU) / 256 when the run starts: 0.003125 at the
# paper's batch 8. Everything else as PixPro's script: weight decay 1e-5, 5 warm-up epochs from lr / 100
# (--warmup-multiplier 100), then cosine decay to 1e-6 (contrast/lr_scheduler.py). Each config sets the epochs.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='mmpretrain.LARS', lr=0.1, momentum=0.9, weight_decay=1e-5),  # base lr per 256 images
    paramwise_cfg=dict(custom_keys={  # PixPro's LARS skips BN and bias parameters
        'bn': dict(decay_mult=0, lars_exclude=True),
        'bias': dict(decay_mult=0, lars_exclude=True),
        'downsample.1': dict(decay_mult=0, lars_exclude=True),
    }))
auto_scale_lr = dict(enable=True, base_batch_size=256)  # lr = 0.1 x total batch / 256
max_epochs = 200  # VOC and Cityscapes; the ISIC config sets 1000
warmup_epochs = 5
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=warmup_epochs, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=max_epochs - warmup_epochs, eta_min=1e-6, by_epoch=True, begin=warmup_epochs,
         end=max_epochs, convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
custom_hooks = [dict(type='MomentumScheduleHook', start=0.99, end=1.0)]  # teacher weight 0.99 -> 1 (cosine)
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=True),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=True, interval=20, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
