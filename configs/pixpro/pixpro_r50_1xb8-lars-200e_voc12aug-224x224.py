# PixPro target pretraining on the 10582 Pascal VOC 2012 + SBD train_aug images (labeled and unlabeled alike, no
# masks), with the differentiable affine and the weight regulariser: the first stage of Table II's
# "IN PixPro -> target PixPro -> CutMix / ClassMix / Sup" rows.
# Start: PixPro's ImageNet release ("IN PixPro", zdaxie/PixPro, 400 epochs), converted once to backbone keys:
#   python tools/model_converters/pixpro2mmseg.py pixpro_base_r50_400ep_md5_<hash>.pth \
#       checkpoints/pixpro_base_r50_400ep_backbone.pth
# the regulariser pulls toward these weights. The IN-Sup start (torchvision) is pixpro_r50-insup_*.
# Schedule (seed 003): "batchsize 8, base learning rate 0.1, momentum 0.9 and total epochs 200 ... LARS";
# the rate is per 256 images and follows the real total batch (auto_scale_lr).
_base_ = [
    '../_base_/models/pixpro_r50.py', '../_base_/datasets/pixpro_views.py',
    '../_base_/schedules/pixpro_lars_coslr.py', '../_base_/default_runtime.py'
]
in_pixpro = 'checkpoints/pixpro_base_r50_400ep_backbone.pth'
model = dict(backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=in_pixpro)))
max_epochs = 200  # seed 003
train_dataloader = dict(
    batch_size=8,  # seed 003: "batchsize 8" (one GPU)
    num_workers=4,
    dataset=dict(
        type='PascalVOCAugDataset',
        data_root='data/VOCdevkit/VOC2012',
        data_prefix=dict(img_path='JPEGImages'),
        ann_file='ImageSets/Segmentation/train_aug.txt',  # = labeled.txt + unlabeled.txt of every VOC split
        with_label=False))
log_processor = dict(by_epoch=True)
