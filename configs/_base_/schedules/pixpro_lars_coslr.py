# PixPro's optimisation (zdaxie/PixPro tools/pixpro_base_r50_*.sh): LARS, base lr 1.0 per 256 images (x 1024/256
# for 8x128), weight decay 1e-5, 5 warm-up epochs then cosine decay. Epoch count set by each config.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='mmpretrain.LARS', lr=4.0, momentum=0.9, weight_decay=1e-5),  # --base-lr 1.0, 1024/256
    paramwise_cfg=dict(custom_keys={  # PixPro's LARS skips BN and bias parameters
        'bn': dict(decay_mult=0, lars_exclude=True),
        'bias': dict(decay_mult=0, lars_exclude=True),
        'downsample.1': dict(decay_mult=0, lars_exclude=True),
    }))
auto_scale_lr = dict(base_batch_size=1024)
max_epochs = 100
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=5, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=max_epochs - 5, eta_min=0., by_epoch=True, begin=5, end=max_epochs,
         convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
custom_hooks = [dict(type='MomentumScheduleHook', start=0.99, end=1.0)]  # teacher weight 0.99 -> 1 (cosine)
