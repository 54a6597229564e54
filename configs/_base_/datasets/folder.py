# Pipelines and evaluators for any folder of RGB images + masks (FolderSegDataset): images resized to 256x256
# (lesion / polyp photos come in any size), flips, colour distortion on labeled images; whole-image evaluation at
# the original size: pooled IoU / Dice (IoUMetric) and per-image Dice / HD95 (VolumeMetric, one "volume" per image,
# names prefixed per_image/). The leaf config (configs/custom/) names the folders, the classes and the split files.
crop_size = (256, 256)
train_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadCheckedAnnotations'),
    dict(type='RandomResize', scale=(256, 256), ratio_range=(1.0, 1.5), keep_ratio=False),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5, direction=['horizontal', 'vertical']),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='Resize', scale=(256, 256), keep_ratio=False),
    dict(type='LoadCheckedAnnotations'),  # after Resize: scored at the original size
    dict(type='PackSegInputs')
]
branch_field = ['sup', 'unsup_teacher', 'unsup_student']
labeled_pipeline = train_pipeline[:-1] + [
    dict(type='MultiBranch', branch_field=branch_field, sup=[dict(type='PackSegInputs')])]
unlabeled_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='RandomResize', scale=(256, 256), ratio_range=(1.0, 1.5), keep_ratio=False),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5, direction=['horizontal', 'vertical']),
    dict(type='MultiBranch', branch_field=branch_field,
         unsup_teacher=[dict(type='PackSegInputs')],
         unsup_student=[dict(type='StrongPhotometricAug'), dict(type='PackSegInputs')]),
]
val_evaluator = [
    dict(type='IoUMetric', iou_metrics=['mIoU', 'mDice']),
    dict(type='VolumeMetric', scores=['Dice', 'HD95'], prefix='per_image'),
]
test_evaluator = val_evaluator
