# PixPro target pretraining on the 2975 Cityscapes fine training images (no masks), with the differentiable affine
# and the weight regulariser: the first stage of Table II's "IN PixPro -> target PixPro -> ..." Cityscapes rows.
# Start: PixPro's ImageNet release, converted (see pixpro_r50_1xb8-lars-200e_voc12aug-224x224.py); the IN-Sup start
# is pixpro_r50-insup_*. 224-px random-resized crops of the 2048x1024 frames, as PixPro on ImageNet.
# Schedule (seed 003): "batchsize 8, base learning rate 0.1, momentum 0.9 and total epochs 200 ... LARS".
_base_ = [
    '../_base_/models/pixpro_r50.py', '../_base_/datasets/pixpro_views.py',
    '../_base_/schedules/pixpro_lars_coslr.py', '../_base_/default_runtime.py'
]
in_pixpro = 'checkpoints/pixpro_base_r50_400ep_backbone.pth'
model = dict(backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=in_pixpro)))
max_epochs = 200  # seed 003 (the schedule base's value)
train_dataloader = dict(
    batch_size=8,  # seed 003: "batchsize 8" (one GPU)
    num_workers=4,
    dataset=dict(
        type='CityscapesTrainIdsDataset',
        data_root='data/cityscapes',
        data_prefix=dict(img_path='leftImg8bit/train'),
        ann_file='',  # every training image
        with_label=False))
log_processor = dict(by_epoch=True)
