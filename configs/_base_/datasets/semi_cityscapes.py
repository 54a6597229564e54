# Semi-supervised Cityscapes: labeled + unlabeled splits of the 2975 training images, images downsampled to
# 1024x512 then 256x512 crops, batches of 4 labeled + 4 unlabeled images (French et al. 2020's Cityscapes setup,
# batch 8), iteration-based. Unlabeled images need no mask; their geometry is shared by the two views (see
# semi_voc12aug.py). A leaf config sets the split files of both datasets.
_base_ = ['./cityscapes.py']
dataset_type = 'CityscapesTrainIdsDataset'
data_root = 'data/cityscapes'
crop_size = (256, 512)
branch_field = ['sup', 'unsup_teacher', 'unsup_student']
labeled_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadCheckedAnnotations'),
    dict(type='RandomResize', scale=(1024, 512), ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='MultiBranch', branch_field=branch_field, sup=[dict(type='PackSegInputs')]),
]
unlabeled_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='RandomResize', scale=(1024, 512), ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='MultiBranch', branch_field=branch_field,
         unsup_teacher=[dict(type='PackSegInputs')],
         unsup_student=[dict(type='StrongPhotometricAug'), dict(type='PackSegInputs')]),
]
labeled_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    data_prefix=dict(img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
    ann_file='',  # set by the leaf config: data/splits/cityscapes/<setting>/labeled.txt
    pipeline=labeled_pipeline)
unlabeled_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    data_prefix=dict(img_path='leftImg8bit/train'),
    ann_file='',  # set by the leaf config: data/splits/cityscapes/<setting>/unlabeled.txt
    with_label=False,
    pipeline=unlabeled_pipeline)
train_dataloader = dict(
    _delete_=True,
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='MultiSourceSampler', batch_size=8, source_ratio=[1, 1]),
    dataset=dict(type='ConcatDataset', datasets=[labeled_dataset, unlabeled_dataset]))
