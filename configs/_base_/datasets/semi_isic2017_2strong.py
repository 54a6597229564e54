# Semi-supervised ISIC 2017 (semi_isic2017.py's geometry: images resized to 256x256 x U(1.0, 1.5), 256x256 crops,
# horizontal and vertical flips; whole-image evaluation at 256x256, mIoU and Dice) with UniMatch's unlabeled
# views: two strong views of every unlabeled image (unsup_student, unsup_student2; independent draws of colour
# jitter 0.5 / 0.5 / 0.5 / 0.25 with p 0.8, grayscale p 0.2, Gaussian blur sigma ~ U(0.1, 2.0) with p 0.5 and PIL's
# kernel size), batches of 8 labeled + 8 unlabeled images (UniMatch's natural-image batch). UniMatch has no ISIC
# protocol; the CutMix boxes between unlabeled images are drawn by the model. FixMatch-seg uses unsup_student only.
# A leaf config sets the split files of both datasets (see semi_voc12aug_2strong.py).
_base_ = ['./semi_isic2017.py']
crop_size = (256, 256)
branch_field = ['sup', 'unsup_teacher', 'unsup_student', 'unsup_student2']
unimatch_strong = [
    dict(type='StrongPhotometricAug',
         transforms=[
             dict(type='ColorJitter', brightness=0.5, contrast=0.5, saturation=0.5, hue=0.25, p=0.8),
             dict(type='ToGray', p=0.2),
             dict(type='GaussianBlur', blur_limit=0, sigma_limit=(0.1, 2.0), p=0.5),
         ]),
    dict(type='PackSegInputs')
]
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
         unsup_student=unimatch_strong,
         unsup_student2=unimatch_strong),
]
labeled_dataset = dict(pipeline=labeled_pipeline)
unlabeled_dataset = dict(pipeline=unlabeled_pipeline)
train_dataloader = dict(
    batch_size=16,
    sampler=dict(type='MultiSourceSampler', batch_size=16, source_ratio=[1, 1]),
    dataset=dict(datasets=[labeled_dataset, unlabeled_dataset]))
