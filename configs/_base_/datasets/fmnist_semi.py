# Fashion-MNIST for semi-supervised classification: the labeled and unlabeled samples of a split file pair
# (data/splits/fashion_mnist/<n>labels, written by tools/make_cls_splits.py), the 10 000 test images for
# validation. Images are 28x28 grey, repeated to 3 channels (GrayToRGB) so RandAugment's colour operations apply.
# Views: weak = flip + 4-pixel reflect-padded random crop; strong = weak + FixMatch RandAugment + Cutout.
# Batches: B labeled + mu*B unlabeled (MultiSourceSampler), FixMatch's B = 64, mu = 7.
# The idx files are unpacked into data/fashion_mnist from the Debian package dataset-fashion-mnist on first use.
dataset_type = 'SemiFashionMNIST'
data_root = 'data/fashion_mnist'
split = '{{ fileDirname }}/../../../data/splits/fashion_mnist/40labels'
img_size = 28
batch_size = 64  # labeled images per batch
mu = 7  # unlabeled images per labeled one
branch_field = ['sup', 'unsup_teacher', 'unsup_student']
pack = dict(type='mmpretrain.PackInputs')
weak_pipeline = [
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='mmpretrain.RandomCrop', crop_size=img_size, padding=4, padding_mode='reflect'),
]
strong_pipeline = weak_pipeline + [dict(type='FixMatchRandAugment', num_ops=2, cutout_ratio=0.5)]
labeled_pipeline = [
    dict(type='GrayToRGB'),
    dict(type='MultiBranch', branch_field=branch_field, sup=weak_pipeline + [pack]),
]
unlabeled_pipeline = [
    dict(type='GrayToRGB'),
    dict(type='MultiBranch', branch_field=branch_field,
         unsup_teacher=weak_pipeline + [pack],
         unsup_student=strong_pipeline + [pack]),
]
# the unlabeled images with the weak view only, for the algorithms that make their own second view or perturbation
# (Pseudo-Label, VAT, S4L, Rebuffi's alternating): dict(unlabeled_dataset, pipeline=weak_unlabeled_pipeline)
weak_unlabeled_pipeline = [
    dict(type='GrayToRGB'),
    dict(type='MultiBranch', branch_field=branch_field, unsup_teacher=weak_pipeline + [pack]),
]
labeled_dataset = dict(
    type=dataset_type, data_root=data_root, split='train', split_file=split + '/labeled.txt',
    pipeline=labeled_pipeline)
unlabeled_dataset = dict(
    type=dataset_type, data_root=data_root, split='train', split_file=split + '/unlabeled.txt',
    pipeline=unlabeled_pipeline)
train_dataloader = dict(
    batch_size=batch_size * (1 + mu),
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='MultiSourceSampler', batch_size=batch_size * (1 + mu), source_ratio=[1, mu]),
    dataset=dict(type='ConcatDataset', datasets=[labeled_dataset, unlabeled_dataset]))
test_pipeline = [dict(type='GrayToRGB'), pack]
val_dataloader = dict(
    batch_size=256,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, data_root=data_root, split='test', test_mode=True, pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='mmpretrain.Accuracy', topk=(1, ))
test_evaluator = val_evaluator
