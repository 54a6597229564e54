# Table II "IN PixPro -> Sup" (supervised baseline from PixPro's ImageNet release, no target pretraining; with it:
# the -pixpro config): DeepLabV3+ ResNet-50 (plain stem, the network of every CutMix/ClassMix row) OS16 trained on
# the labeled split only, Cityscapes 100 labeled of 2975 images.
# French et al.'s supervised baseline is their CutMix script with "--cons_weight=0.0" (Britefury/cutmix-semisup-seg,
# run_cityscapes_experiments.sh): batch 4 labeled images, the same augmentation (half-resolution frames, 256x512
# crops, flips, no colour), backbone BN frozen, Adam 3e-5 with the backbone at 0.1x, constant, 40k iterations.
_base_ = [
    '../_base_/models/deeplabv3plus_r50-d16.py', '../_base_/datasets/semi_cityscapes_french.py',
    '../_base_/default_runtime.py', '../_base_/schedules/french_adam_const_40k.py'
]
in_pixpro = 'checkpoints/pixpro_base_r50_400ep_backbone.pth'
crop_size = (256, 512)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(norm_eval=True, init_cfg=dict(type='Pretrained', checkpoint=in_pixpro)),
    decode_head=dict(num_classes=19),
    test_cfg=dict(mode='slide', crop_size=(256, 512), stride=(171, 341)),
)
optim_wrapper = dict(optimizer=dict(lr=3e-5))  # --learning_rate=3e-5
split = '{{ fileDirname }}/../../data/splits/cityscapes/100'
train_dataloader = dict(
    _delete_=True,
    batch_size=4,  # --batch_size=4
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=_base_.dataset_type,
        data_root=_base_.data_root,
        data_prefix=dict(img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
        ann_file=split + '/labeled.txt',
        pipeline=_base_.sup_pipeline))
