# Target pretraining schedule of MoCo v2. The seed (Xu et al., seed 003) gives numbers for PixPro and BYOL only;
# its rule for target pretraining, "We reduce the learning rate 10 times from the default ImageNet experiments",
# applied to MoCo v2's ImageNet default (SGD, lr 0.03 per 256 images, momentum 0.9, weight decay 1e-4, cosine,
# 200 epochs: Chen et al. 2020 / mmpretrain mocov2_resnet50_8xb32-coslr-200e_in1k.py) gives 0.003 per 256 images,
# scaled to the real total batch by `auto_scale_lr` (enabled). The key encoder's momentum is constant (no hook).
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.003, momentum=0.9, weight_decay=1e-4))
auto_scale_lr = dict(enable=True, base_batch_size=256)
max_epochs = 200
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=max_epochs, by_epoch=True, begin=0, end=max_epochs,
         convert_to_iter_based=True)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
custom_hooks = []
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=True),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=True, interval=20, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
