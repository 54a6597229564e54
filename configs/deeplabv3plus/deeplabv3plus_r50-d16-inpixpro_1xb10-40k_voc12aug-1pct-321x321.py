# Table II "IN PixPro -> Sup" (supervised baseline from PixPro's ImageNet release, no target pretraining; with it:
# the -pixpro config): DeepLabV3+ ResNet-50 (plain stem, the network of every CutMix/ClassMix row) OS16 trained on
# the labeled split only, Pascal VOC 2012 aug 1 % labels (~106 of 10582 images).
# French et al.'s supervised baseline is their CutMix script with "--cons_weight=0.0" (Britefury/cutmix-semisup-seg,
# run_pascal_aug_deeplab3plus_experiments.sh): batch 10 labeled images, the same augmentation (Hung's scale 0.5-1.5,
# 321x321 crops, flips, no colour), backbone BN frozen, Adam 1e-5 with the backbone at 0.1x, constant, 40k iterations.
# The mmcv-initialised ResNet-50-V1c baselines (deeplabv3plus_r50v1c-*) are another network, kept for reference.
_base_ = [
    '../_base_/models/deeplabv3plus_r50-d16.py', '../_base_/datasets/semi_voc12aug_french.py',
    '../_base_/default_runtime.py', '../_base_/schedules/french_adam_const_40k.py'
]
in_pixpro = 'checkpoints/pixpro_base_r50_400ep_backbone.pth'
crop_size = (321, 321)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(norm_eval=True, init_cfg=dict(type='Pretrained', checkpoint=in_pixpro)),
    decode_head=dict(num_classes=21),
)
split = '{{ fileDirname }}/../../data/splits/voc/1pct'
train_dataloader = dict(
    _delete_=True,
    batch_size=10,  # --batch_size=10
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=_base_.dataset_type,
        data_root=_base_.data_root,
        data_prefix=dict(img_path='JPEGImages', seg_map_path='SegmentationClassAug'),
        ann_file=split + '/labeled.txt',
        pipeline=_base_.sup_pipeline))
