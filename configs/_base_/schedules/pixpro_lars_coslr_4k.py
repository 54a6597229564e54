# The demo's PixPro optimiser (pixpro_lars_coslr_300it.py: LARS at 0.125 for batch 32, weight decay 1e-5, BN and
# biases excluded) for the ACDC UNet: 4000 iterations (~100 epochs of the 1312 slices), 200 of linear warm-up then
# cosine to 0; log every 50 iterations, a checkpoint every 1000.
_base_ = ['./pixpro_lars_coslr_300it.py']
max_iters = 4000
optim_wrapper = dict(paramwise_cfg=dict(custom_keys=dict(  # the UNet has no ResNet shortcut ('downsample.1')
    _delete_=True, bn=dict(decay_mult=0, lars_exclude=True), bias=dict(decay_mult=0, lars_exclude=True))))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=200),
    dict(type='CosineAnnealingLR', T_max=max_iters - 200, eta_min=0., by_epoch=False, begin=200, end=max_iters),
]
train_cfg = dict(max_iters=max_iters)
default_hooks = dict(logger=dict(interval=50), checkpoint=dict(interval=1000))
