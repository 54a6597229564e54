# Semi-supervised demo data (128x128 Fashion-MNIST scenes, 5 classes): labeled + unlabeled splits of the 1000
# training scenes, 96x96 crops, batches of 8 labeled + 8 unlabeled scenes (the supervised demo's 8 labeled ones
# plus as many unlabeled), iteration-based, CPU-sized (2 workers). Unlabeled scenes are read without masks; their
# geometry is shared by the two views (see semi_voc12aug.py). A leaf config sets the split files.
_base_ = ['./demo_scenes.py']
dataset_type = 'DemoScenesDataset'
data_root = 'data/demo'
crop_size = (96, 96)
branch_field = ['sup', 'unsup_teacher', 'unsup_student']
labeled_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadCheckedAnnotations'),
    dict(type='RandomResize', scale=(128, 128), ratio_range=(0.75, 1.5), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),  # as the supervised demo (demo_scenes.py)
    dict(type='MultiBranch', branch_field=branch_field, sup=[dict(type='PackSegInputs')]),
]
unlabeled_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='RandomResize', scale=(128, 128), ratio_range=(0.75, 1.5), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='MultiBranch', branch_field=branch_field,
         unsup_teacher=[dict(type='PackSegInputs')],
         unsup_student=[dict(type='StrongPhotometricAug'), dict(type='PackSegInputs')]),
]
labeled_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    data_prefix=dict(img_path='JPEGImages', seg_map_path='SegmentationClass'),
    ann_file='',  # set by the leaf config: data/splits/demo/<setting>/labeled.txt
    pipeline=labeled_pipeline)
unlabeled_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    data_prefix=dict(img_path='JPEGImages'),
    ann_file='',  # set by the leaf config: data/splits/demo/<setting>/unlabeled.txt
    with_label=False,
    pipeline=unlabeled_pipeline)
train_dataloader = dict(
    _delete_=True,
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='MultiSourceSampler', batch_size=16, source_ratio=[1, 1]),
    dataset=dict(type='ConcatDataset', datasets=[labeled_dataset, unlabeled_dataset]))
