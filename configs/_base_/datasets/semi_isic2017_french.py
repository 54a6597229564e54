# Semi-supervised ISIC 2017 with French et al.'s ISIC setup (Britefury/cutmix-semisup-seg,
# run_isic2017_experiments.sh; not their VOC setup):
# "AUG_ISIC2017_SCLROT: 224x224 crop, h/v/hv flip, scale [0.9,1.1], rotate [-45,45]" and "--aug_strong_colour",
# images resized to 248x248 first (convert_isic.py "--out_size 248,248"), batches of 10 labeled + 10 unlabeled.
# - rotation by up to 45 degrees and scale in [1/1.1, 1.1] (mmseg RandomRotate + RandomResize), 224x224 crop,
#   horizontal and vertical flips; their transposing flip (--aug_hvflip) has no mmcv transform and is left out;
# - colour augmentation on the student's unlabeled view only ("train_unsup_transforms.append(... ColorJitter(0.4,
#   0.4, 0.4, 0.1), p=0.8 ... RandomGrayscale(p=0.2))"): brightness/contrast/saturation 0.4, hue 0.1 with p 0.8,
#   grayscale p 0.2; no blur. Labeled images and the teacher's view get none.
# - evaluation on the whole 248x248 image (their --bin_fill_holes post-processing is not applied here).
# `sup_pipeline`: the labeled pipeline for the supervised baselines.
_base_ = ['./semi_isic2017.py']
crop_size = (224, 224)
french_size = (248, 248)
geometry = [
    dict(type='Resize', scale=french_size, keep_ratio=False),
    dict(type='RandomRotate', prob=1.0, degree=45, pad_val=0, seg_pad_val=255),
    dict(type='RandomResize', scale=french_size, ratio_range=(1 / 1.1, 1.1), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandomFlip', prob=0.5, direction='vertical'),
]
sup_pipeline = [dict(type='LoadCheckedImageFromFile'), dict(type='LoadCheckedAnnotations')] + geometry + [
    dict(type='PackSegInputs')]
labeled_pipeline = sup_pipeline[:-1] + [
    dict(type='MultiBranch', branch_field=_base_.branch_field, sup=[dict(type='PackSegInputs')])]
french_colour = [
    dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.4, hue=0.1, p=0.8),
    dict(type='ToGray', p=0.2),
]
unlabeled_pipeline = [dict(type='LoadCheckedImageFromFile')] + geometry + [
    dict(type='MultiBranch', branch_field=_base_.branch_field,
         unsup_teacher=[dict(type='PackSegInputs')],
         unsup_student=[dict(type='StrongPhotometricAug', transforms=french_colour), dict(type='PackSegInputs')]),
]
test_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='Resize', scale=french_size, keep_ratio=False),
    dict(type='LoadCheckedAnnotations'),
    dict(type='PackSegInputs')
]
labeled_dataset = dict(pipeline=labeled_pipeline)
unlabeled_dataset = dict(pipeline=unlabeled_pipeline)
train_dataloader = dict(
    batch_size=20,
    sampler=dict(type='MultiSourceSampler', batch_size=20, source_ratio=[1, 1]),
    dataset=dict(datasets=[labeled_dataset, unlabeled_dataset]))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
