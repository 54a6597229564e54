# CIFAR-10 for semi-supervised classification (FixMatch, Sohn et al. 2020): the labeled and unlabeled samples of a
# split file pair (data/splits/cifar10/<n>labels, written by
#   python tools/make_cls_splits.py cifar10 --data-root data/cifar10 --num 250 4000
# from the official training set), the 10 000 test images for validation. RGB 32x32 images (SemiCIFAR10 reads the
# python batches in data/cifar10/cifar-10-batches-py; nothing is downloaded).
# Views: weak = flip + 4-pixel reflect-padded random crop ("flip-and-shift"); strong = weak + FixMatch RandAugment
# (2 random operations, random magnitudes) + Cutout. Batches: B = 64 labeled + mu * B = 448 unlabeled.
# A leaf config sets the split files: dict(_base_.labeled_dataset, split_file=...), the same for unlabeled_dataset.
dataset_type = 'SemiCIFAR10'
data_root = 'data/cifar10'
img_size = 32
batch_size = 64  # labeled images per batch
mu = 7  # unlabeled images per labeled one
branch_field = ['sup', 'unsup_teacher', 'unsup_student']
pack = dict(type='mmpretrain.PackInputs')
weak_pipeline = [
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='mmpretrain.RandomCrop', crop_size=img_size, padding=4, padding_mode='reflect'),
]
strong_pipeline = weak_pipeline + [dict(type='FixMatchRandAugment', num_ops=2, cutout_ratio=0.5)]
labeled_pipeline = [dict(type='MultiBranch', branch_field=branch_field, sup=weak_pipeline + [pack])]
unlabeled_pipeline = [
    dict(type='MultiBranch', branch_field=branch_field,
         unsup_teacher=weak_pipeline + [pack],
         unsup_student=strong_pipeline + [pack]),
]
labeled_dataset = dict(type=dataset_type, data_root=data_root, split='train', split_file=None,
                       pipeline=labeled_pipeline)
unlabeled_dataset = dict(type=dataset_type, data_root=data_root, split='train', split_file=None,
                         pipeline=unlabeled_pipeline)
train_dataloader = dict(
    batch_size=batch_size * (1 + mu),
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='MultiSourceSampler', batch_size=batch_size * (1 + mu), source_ratio=[1, mu]),
    dataset=dict(type='ConcatDataset', datasets=[labeled_dataset, unlabeled_dataset]))
val_dataloader = dict(
    batch_size=256,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, data_root=data_root, split='test', test_mode=True, pipeline=[pack]))
test_dataloader = val_dataloader
val_evaluator = dict(type='mmpretrain.Accuracy', topk=(1, ))
test_evaluator = val_evaluator
