# Semi-supervised ACDC: labeled + unlabeled slices of the training patients, 256x256, batches of 12 labeled + 12
# unlabeled slices (SSL4MIS: batch 24, labeled_bs 12), iteration-based. Unlabeled slices are read without labels;
# their geometry is shared by the two views, the student's view gets UniMatch's one-channel strong augmentation
# (GrayPhotometricAug: colour jitter + blur). Evaluation per volume as acdc.py. A leaf config sets the split files.
_base_ = ['./acdc.py']
dataset_type = 'ACDCDataset'
data_root = 'data/ACDC'
crop_size = (256, 256)
branch_field = ['sup', 'unsup_teacher', 'unsup_student']
labeled_pipeline = [
    dict(type='LoadH5ImageFromFile'),
    dict(type='LoadH5Annotations'),
    dict(type='RandomRotFlip', rotate_prob=0.25, flip_prob=2 / 3, degree=20),
    dict(type='Resize', scale=crop_size, keep_ratio=False),
    dict(type='MultiBranch', branch_field=branch_field, sup=[dict(type='PackSegInputs')]),
]
unlabeled_pipeline = [
    dict(type='LoadH5ImageFromFile'),
    dict(type='RandomRotFlip', rotate_prob=0.25, flip_prob=2 / 3, degree=20),
    dict(type='Resize', scale=crop_size, keep_ratio=False),
    dict(type='MultiBranch', branch_field=branch_field,
         unsup_teacher=[dict(type='PackSegInputs')],
         unsup_student=[dict(type='GrayPhotometricAug'), dict(type='PackSegInputs')]),
]
labeled_dataset = dict(type=dataset_type, data_root=data_root, ann_file='',  # leaf: .../labeled.txt
                       pipeline=labeled_pipeline)
unlabeled_dataset = dict(type=dataset_type, data_root=data_root, ann_file='',  # leaf: .../unlabeled.txt
                         with_label=False, pipeline=unlabeled_pipeline)
train_dataloader = dict(
    _delete_=True,
    batch_size=24,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='MultiSourceSampler', batch_size=24, source_ratio=[1, 1]),
    dataset=dict(type='ConcatDataset', datasets=[labeled_dataset, unlabeled_dataset]))
