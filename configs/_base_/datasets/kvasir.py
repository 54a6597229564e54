# Kvasir-SEG polyp segmentation (1000 images; background vs polyp), masks converted from JPEG 0/255 to 0/1 PNGs and a
# deterministic 800 / 100 / 100 train / val / test split written by
# `python tools/dataset_converters/kvasir.py data/Kvasir-SEG`. Images resized to 256x256; whole-image evaluation at
# the original size: pooled mIoU / Dice and per-image Dice / HD95 (per_image/). Labeled splits:
# `python tools/make_splits.py kvasir` (10 / 20 / 50 of train.txt).
_base_ = ['./folder.py']
dataset_type = 'KvasirSEGDataset'
data_root = 'data/Kvasir-SEG'
data_prefix = dict(img_path='images', seg_map_path='masks_01')
train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type=dataset_type, data_root=data_root, data_prefix=data_prefix, ann_file='train.txt',
                 pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, data_root=data_root, data_prefix=data_prefix, ann_file='val.txt',
                 pipeline={{_base_.test_pipeline}}))
test_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, data_root=data_root, data_prefix=data_prefix, ann_file='test.txt',
                 pipeline={{_base_.test_pipeline}}))
