# PixPro target pretraining on the 2000 ISIC 2017 training images (masks unused), with the differentiable affine and
# the weight regulariser: the first stage of Table II's "IN PixPro -> target PixPro -> ..." ISIC rows.
# Start: PixPro's ImageNet release, converted (see pixpro_r50_1xb8-lars-200e_voc12aug-224x224.py); the IN-Sup start
# is pixpro_r50-insup_*.
# Schedule (seed 003): batch 8, base lr 0.1 per 256 images (auto_scale_lr), momentum 0.9, LARS, and 1000 epochs,
# the count the seed gives for ISIC's 2000 images (200 for VOC and Cityscapes).
_base_ = [
    '../_base_/models/pixpro_r50.py', '../_base_/datasets/pixpro_views.py',
    '../_base_/schedules/pixpro_lars_coslr.py', '../_base_/default_runtime.py'
]
in_pixpro = 'checkpoints/pixpro_base_r50_400ep_backbone.pth'
model = dict(backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=in_pixpro)))
max_epochs = 1000  # seed 003, ISIC
train_dataloader = dict(
    batch_size=8,  # seed 003: "batchsize 8" (one GPU)
    num_workers=4,
    dataset=dict(
        type='ISIC2017Dataset',
        data_root='data/ISIC2017',
        data_prefix=dict(img_path='ISIC-2017_Training_Data'),
        ann_file='',  # every training image
        with_label=False))
param_scheduler = [  # the schedule base's curve over 1000 epochs
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=5, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=max_epochs - 5, eta_min=1e-6, by_epoch=True, begin=5, end=max_epochs,
         convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
log_processor = dict(by_epoch=True)
default_hooks = dict(checkpoint=dict(interval=100))  # every 100 of the 1000 epochs
