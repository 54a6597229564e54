# Semi-supervised Pascal VOC 2012 aug with UniMatch's data setup (LiheYoung/UniMatch dataset/semi.py, transform.py):
# two strong views of every unlabeled image, batches of 8 labeled + 8 unlabeled 321x321 crops (UniMatch: 2 + 2 per
# GPU x 4 GPUs), whole-image evaluation at the original resolution.
# Geometry, shared by every view of an image (before MultiBranch): the image is rescaled so that its long side is
# r x 500 px, r ~ U(0.5, 2.0) (UniMatch rescales the long side by r; VOC's long side is 500 px), then a random
# 321x321 crop (no cat_max_ratio) and a horizontal flip with p 0.5. Crops of smaller images are padded by the data
# preprocessor (masks with 255, unlabeled padding excluded from every loss), as UniMatch pads before cropping.
# Strong views (branches unsup_student, unsup_student2; independent draws): UniMatch's (unimatch_strong_view.py).
# The labeled crops get no photometric change; the CutMix boxes between unlabeled images are drawn by the model.
# FixMatch-seg reads the same data and uses unsup_student only (UniMatch's fixmatch.py also ignores img_u_s2).
# A leaf config sets the split files:
#   train_dataloader = dict(dataset=dict(datasets=[dict(_base_.labeled_dataset, ann_file=.../labeled.txt),
#                                                  dict(_base_.unlabeled_dataset, ann_file=.../unlabeled.txt)]))
_base_ = ['./semi_voc12aug.py', './unimatch_strong_view.py']
crop_size = (321, 321)
branch_field = ['sup', 'unsup_teacher', 'unsup_student', 'unsup_student2']
geometry = [
    dict(type='RandomResize', scale=(500, 500), ratio_range=(0.5, 2.0), keep_ratio=True),
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
# UniMatch's 'original' evaluation: every val image whole, at its own size
test_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadCheckedAnnotations'),
    dict(type='PackSegInputs')
]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
