# Semi-supervised Cityscapes with French et al.'s CutMix augmentation (Britefury/cutmix-semisup-seg,
# run_cityscapes_experiments.sh: "--batch_size=4 ... -crop_size=256,512 --aug_hflip"; convert_cityscapes.py
# "--downsample 2"): the frames at half resolution (1024x512), a 256x512 crop and a horizontal flip; no scaling and
# no colour augmentation (the student's unlabeled view is the teacher's; CutMix mixing is the only perturbation);
# batches of 4 labeled + 4 unlabeled images. `sup_pipeline`: the labeled pipeline for the supervised baselines.
_base_ = ['./semi_cityscapes.py']
sup_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadCheckedAnnotations'),
    dict(type='Resize', scale=(1024, 512), keep_ratio=True),
    dict(type='RandomCrop', crop_size=_base_.crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs'),
]
labeled_pipeline = sup_pipeline[:-1] + [
    dict(type='MultiBranch', branch_field=_base_.branch_field, sup=[dict(type='PackSegInputs')])]
unlabeled_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='Resize', scale=(1024, 512), keep_ratio=True),
    dict(type='RandomCrop', crop_size=_base_.crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='MultiBranch', branch_field=_base_.branch_field,
         unsup_teacher=[dict(type='PackSegInputs')],
         unsup_student=[dict(type='PackSegInputs')]),  # no colour augmentation (French et al.)
]
labeled_dataset = dict(pipeline=labeled_pipeline)
unlabeled_dataset = dict(pipeline=unlabeled_pipeline)
train_dataloader = dict(dataset=dict(datasets=[labeled_dataset, unlabeled_dataset]))
