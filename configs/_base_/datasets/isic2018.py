# ISIC 2018 task 1 lesion segmentation (2594 train / 100 val / 1000 test; background vs lesion), masks converted from
# 0/255 to 0/1 by `python tools/dataset_converters/isic2018.py data/ISIC2018`. Images resized to 256x256; whole-image
# evaluation at the original size: pooled mIoU / Dice (IoUMetric) and per-image Dice / HD95 (VolumeMetric, names
# prefixed per_image/). Split files: `python tools/make_splits.py isic2018` (10 / 20 / 50 labeled images).
_base_ = ['./folder.py']
dataset_type = 'ISIC2018Dataset'
data_root = 'data/ISIC2018'
train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='ISIC2018_Task1-2_Training_Input',
                         seg_map_path='ISIC2018_Task1_Training_GroundTruth_01'),
        ann_file='',
        pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='ISIC2018_Task1-2_Validation_Input',
                         seg_map_path='ISIC2018_Task1_Validation_GroundTruth_01'),
        ann_file='',
        pipeline={{_base_.test_pipeline}}))
test_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='ISIC2018_Task1-2_Test_Input', seg_map_path='ISIC2018_Task1_Test_GroundTruth_01'),
        ann_file='',
        pipeline={{_base_.test_pipeline}}))
