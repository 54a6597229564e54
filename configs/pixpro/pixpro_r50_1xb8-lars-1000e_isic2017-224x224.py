# PixPro target pretraining on the 2000 ISIC 2017 training images (masks unused), from ImageNet weights, with the
# differentiable affine and the weight regulariser (Xu et al.: 1000 epochs on ISIC's 2000 images).
# Hand over with: python tools/model_converters/extract_backbone.py work_dirs/<this>/epoch_1000.pth out.pth
_base_ = [
    '../_base_/models/pixpro_r50.py', '../_base_/datasets/pixpro_views.py',
    '../_base_/schedules/pixpro_lars_coslr.py', '../_base_/default_runtime.py'
]
max_epochs = 1000  # Xu et al.
train_dataloader = dict(
    dataset=dict(
        type='ISIC2017Dataset',
        data_root='data/ISIC2017',
        data_prefix=dict(img_path='ISIC-2017_Training_Data'),
        ann_file='',  # every training image
        with_label=False))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=5, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=max_epochs - 5, eta_min=0., by_epoch=True, begin=5, end=max_epochs,
         convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
log_processor = dict(by_epoch=True)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=True),
    checkpoint=dict(_delete_=True, type='CheckpointHook', by_epoch=True, interval=100, max_keep_ckpts=3))
