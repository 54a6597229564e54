# Semi-supervised Pascal VOC 2012 aug: a labeled and an unlabeled split of train_aug in one ConcatDataset, batches
# of 10 labeled + 10 unlabeled images (MultiSourceSampler), iteration-based.
# Unlabeled images are read without any mask file. Their geometric augmentation (scale, crop, flip) comes before
# MultiBranch, so the teacher's weak view and the student's strong view (+ colour jitter, grayscale, blur) stay
# aligned pixel for pixel; they are not padded in the pipeline (the data preprocessor pads to the crop size and the
# padding is excluded from the consistency loss). Labeled crops are padded there too (masks with 255): mmcv's Pad
# takes its size as (w, h), the opposite of crop_size's (h, w).
# A leaf config sets the split files:
#   train_dataloader = dict(dataset=dict(datasets=[dict(_base_.labeled_dataset, ann_file=.../labeled.txt),
#                                                  dict(_base_.unlabeled_dataset, ann_file=.../unlabeled.txt)]))
_base_ = ['./voc12aug.py']
dataset_type = 'PascalVOCAugDataset'
data_root = 'data/VOCdevkit/VOC2012'
crop_size = (321, 321)
branch_field = ['sup', 'unsup_teacher', 'unsup_student']
labeled_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadCheckedAnnotations'),
    dict(type='RandomResize', scale=(2048, 512), ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='MultiBranch', branch_field=branch_field, sup=[dict(type='PackSegInputs')]),
]
unlabeled_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='RandomResize', scale=(2048, 512), ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),  # cat_max_ratio would need a mask
    dict(type='RandomFlip', prob=0.5),
    dict(type='MultiBranch', branch_field=branch_field,
         unsup_teacher=[dict(type='PackSegInputs')],
         unsup_student=[dict(type='StrongPhotometricAug'), dict(type='PackSegInputs')]),
]
labeled_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    data_prefix=dict(img_path='JPEGImages', seg_map_path='SegmentationClassAug'),
    ann_file='',  # set by the leaf config: data/splits/voc/<setting>/labeled.txt
    pipeline=labeled_pipeline)
unlabeled_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    data_prefix=dict(img_path='JPEGImages'),
    ann_file='',  # set by the leaf config: data/splits/voc/<setting>/unlabeled.txt
    with_label=False,
    pipeline=unlabeled_pipeline)
train_dataloader = dict(
    _delete_=True,
    batch_size=20,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='MultiSourceSampler', batch_size=20, source_ratio=[1, 1]),
    dataset=dict(type='ConcatDataset', datasets=[labeled_dataset, unlabeled_dataset]))
