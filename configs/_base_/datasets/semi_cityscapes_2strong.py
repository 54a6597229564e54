# Semi-supervised Cityscapes with UniMatch's data setup (LiheYoung/UniMatch dataset/semi.py, configs/cityscapes.yaml):
# full-resolution images, two strong views of every unlabeled image, batches of 8 labeled + 8 unlabeled 801x801
# crops (UniMatch: 2 + 2 per GPU x 4 GPUs), evaluation on the full 2048x1024 val images (the model config sets
# UniMatch's sliding window: 801x801 windows, stride 534 = 2/3 of the window).
# Geometry, shared by every view of an image (before MultiBranch): the 2048x1024 image rescaled by r ~ U(0.5, 2.0),
# a random 801x801 crop, a horizontal flip with p 0.5; crops smaller than 801 px are padded by the data
# preprocessor (masks with 255, unlabeled padding excluded from every loss).
# Strong views (unsup_student, unsup_student2; independent draws): UniMatch's (unimatch_strong_view.py). The CutMix
# boxes between unlabeled images are drawn by the model. FixMatch-seg uses unsup_student only.
# A leaf config sets the split files of both datasets (see semi_voc12aug_2strong.py).
_base_ = ['./semi_cityscapes.py', './unimatch_strong_view.py']
crop_size = (801, 801)
branch_field = ['sup', 'unsup_teacher', 'unsup_student', 'unsup_student2']
geometry = [
    dict(type='RandomResize', scale=(2048, 1024), ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
]
labeled_pipeline = [dict(type='LoadCheckedImageFromFile'), dict(type='LoadCheckedAnnotations')] + geometry + [
    dict(type='MultiBranch', branch_field=branch_field, sup=[dict(type='PackSegInputs')])]
unlabeled_pipeline = [dict(type='LoadCheckedImageFromFile')] + geometry + [
    dict(type='MultiBranch', branch_field=branch_field,
         unsup_teacher=[dict(type='PackSegInputs')],
         unsup_student=_base_.unimatch_strong,
         unsup_student2=_base_.unimatch_strong),
]
labeled_dataset = dict(pipeline=labeled_pipeline)
unlabeled_dataset = dict(pipeline=unlabeled_pipeline)
train_dataloader = dict(
    batch_size=16,
    sampler=dict(type='MultiSourceSampler', batch_size=16, source_ratio=[1, 1]),
    dataset=dict(datasets=[labeled_dataset, unlabeled_dataset]))
# full-resolution val images (no resize), as UniMatch evaluates
test_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadCheckedAnnotations'),
    dict(type='PackSegInputs')
]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
