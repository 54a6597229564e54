# ACDC cardiac MRI (4 classes: background, RV, Myo, LV) in the SSL4MIS / UniMatch h5 layout under data/ACDC:
# training on 2D slices (data/slices/*.h5), evaluation per volume (data/*.h5) with VolumeMetric (per-class Dice,
# IoU and HD95 per volume, averaged over volumes; background excluded). Slices are resized to 256x256 for the
# network; at test time the logits are resized back to each slice's original size (SSL4MIS / UniMatch protocol).
# Augmentation as UniMatch's: a random 90-degree rotation + flip (p 0.5) or a rotation in [-20, 20] degrees
# (p 0.25). A leaf config sets the split files (data/splits/acdc/<cases>/...).
dataset_type = 'ACDCDataset'
data_root = 'data/ACDC'
crop_size = (256, 256)
# metainfo the VolumeMetric needs to rebuild each volume
volume_meta_keys = ('img_path', 'seg_map_path', 'ori_shape', 'img_shape', 'pad_shape', 'scale_factor', 'flip',
                    'flip_direction', 'reduce_zero_label', 'volume_id', 'slice_index', 'num_slices')
train_pipeline = [
    dict(type='LoadH5ImageFromFile'),
    dict(type='LoadH5Annotations'),
    # mmseg: rotate with rotate_prob, else rot90+flip with flip_prob -> P(rotate)=0.25, P(rot90+flip)=0.5
    dict(type='RandomRotFlip', rotate_prob=0.25, flip_prob=2 / 3, degree=20),
    dict(type='Resize', scale=crop_size, keep_ratio=False),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadH5ImageFromFile'),
    dict(type='Resize', scale=crop_size, keep_ratio=False),
    dict(type='LoadH5Annotations'),  # after Resize: the label keeps the slice's original size
    dict(type='PackSegInputs', meta_keys=volume_meta_keys)
]
train_dataloader = dict(
    batch_size=12,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type=dataset_type, data_root=data_root, ann_file='', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, data_root=data_root, ann_file='', volumes=True, pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='VolumeMetric', scores=['Dice', 'HD95', 'IoU'])
test_evaluator = val_evaluator
