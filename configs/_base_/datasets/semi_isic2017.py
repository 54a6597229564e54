# Semi-supervised ISIC 2017 lesion segmentation: labeled + unlabeled splits of the 2000 training images, resized
# to 256x256, batches of 4 labeled + 4 unlabeled images, iteration-based; mIoU and Dice. Unlabeled images need no
# mask; their geometry is shared by the two views (see semi_voc12aug.py). A leaf config sets the split files.
_base_ = ['./isic2017.py']
dataset_type = 'ISIC2017Dataset'
data_root = 'data/ISIC2017'
crop_size = (256, 256)
branch_field = ['sup', 'unsup_teacher', 'unsup_student']
labeled_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadCheckedAnnotations'),
    dict(type='RandomResize', scale=(256, 256), ratio_range=(1.0, 1.5), keep_ratio=False),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5, direction=['horizontal', 'vertical']),
    dict(type='MultiBranch', branch_field=branch_field, sup=[dict(type='PackSegInputs')]),
]
unlabeled_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='RandomResize', scale=(256, 256), ratio_range=(1.0, 1.5), keep_ratio=False),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5, direction=['horizontal', 'vertical']),
    dict(type='MultiBranch', branch_field=branch_field,
         unsup_teacher=[dict(type='PackSegInputs')],
         unsup_student=[dict(type='StrongPhotometricAug'), dict(type='PackSegInputs')]),
]
labeled_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    data_prefix=dict(img_path='ISIC-2017_Training_Data', seg_map_path='ISIC-2017_Training_Part1_GroundTruth_01'),
    ann_file='',  # set by the leaf config: data/splits/isic2017/<setting>/labeled.txt
    pipeline=labeled_pipeline)
unlabeled_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    data_prefix=dict(img_path='ISIC-2017_Training_Data'),
    ann_file='',  # set by the leaf config: data/splits/isic2017/<setting>/unlabeled.txt
    with_label=False,
    pipeline=unlabeled_pipeline)
train_dataloader = dict(
    _delete_=True,
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='MultiSourceSampler', batch_size=8, source_ratio=[1, 1]),
    dataset=dict(type='ConcatDataset', datasets=[labeled_dataset, unlabeled_dataset]))
