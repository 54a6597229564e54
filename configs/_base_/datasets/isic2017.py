# ISIC 2017 task 1 lesion segmentation (2000 train / 150 val / 600 test; background vs lesion), masks converted
# from 0/255 to 0/1 by `python tools/dataset_converters/isic2017.py data/ISIC2017`.
# Images resized to 256x256 (dermoscopy images are 0.5-29 Mpx); whole-image evaluation, mIoU and Dice.
dataset_type = 'ISIC2017Dataset'
data_root = 'data/ISIC2017'
crop_size = (256, 256)
train_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadCheckedAnnotations'),
    dict(type='RandomResize', scale=(256, 256), ratio_range=(1.0, 1.5), keep_ratio=False),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5, direction=['horizontal', 'vertical']),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='Resize', scale=(256, 256), keep_ratio=False),
    dict(type='LoadCheckedAnnotations'),
    dict(type='PackSegInputs')
]
train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='ISIC-2017_Training_Data', seg_map_path='ISIC-2017_Training_Part1_GroundTruth_01'),
        ann_file='',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='ISIC-2017_Validation_Data',
                         seg_map_path='ISIC-2017_Validation_Part1_GroundTruth_01'),
        ann_file='',
        pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='ISIC-2017_Test_v2_Data', seg_map_path='ISIC-2017_Test_v2_Part1_GroundTruth_01'),
        ann_file='',
        pipeline=test_pipeline))
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU', 'mDice'])
test_evaluator = val_evaluator
