# Semi-supervised Pascal VOC 2012 aug with French et al.'s CutMix augmentation (Britefury/cutmix-semisup-seg,
# run_pascal_aug_deeplab3plus_experiments.sh: "--crop_size=321,321 --aug_hflip --aug_scale_hung", batch 10):
# - scale: "f_scale = 0.5 + rng.randint(0, 11) / 10.0" (SegCVTransformRandomCropScaleHung): the image is scaled by
#   one of 0.5, 0.6, ..., 1.5, then a 321x321 crop (padded where smaller: the data preprocessor pads, masks with 255,
#   and padding is left out of the consistency loss); horizontal flip;
# - no colour augmentation at all: without --aug_strong_colour the student's unlabeled view *is* the teacher's
#   ("batch_ux0_stu = batch_ux0_tea"); CutMix mixing is the only perturbation;
# - batches of 10 labeled + 10 unlabeled images (MultiSourceSampler; the unlabeled ones are mixed in pairs).
# `sup_pipeline` is the labeled pipeline without MultiBranch, for the supervised baselines (same augmentation).
_base_ = ['./semi_voc12aug.py']
hung_scale = dict(type='RandomChoice',
                  transforms=[[dict(type='Resize', scale_factor=round(0.5 + 0.1 * i, 1), keep_ratio=True)]
                              for i in range(11)])
sup_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadCheckedAnnotations'),
    hung_scale,
    dict(type='RandomCrop', crop_size=_base_.crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs'),
]
labeled_pipeline = sup_pipeline[:-1] + [
    dict(type='MultiBranch', branch_field=_base_.branch_field, sup=[dict(type='PackSegInputs')])]
unlabeled_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    hung_scale,
    dict(type='RandomCrop', crop_size=_base_.crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='MultiBranch', branch_field=_base_.branch_field,
         unsup_teacher=[dict(type='PackSegInputs')],
         unsup_student=[dict(type='PackSegInputs')]),  # no colour augmentation (French et al.)
]
labeled_dataset = dict(pipeline=labeled_pipeline)
unlabeled_dataset = dict(pipeline=unlabeled_pipeline)
train_dataloader = dict(dataset=dict(datasets=[labeled_dataset, unlabeled_dataset]))
