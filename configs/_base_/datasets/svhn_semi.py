# SVHN for semi-supervised classification (FixMatch, Sohn et al. 2020): the labeled and unlabeled samples of a split
# file pair (data/splits/svhn/<n>labels, `python tools/make_cls_splits.py svhn --data-root data/svhn --num 250`) of
# the 73 257 training digits (train_32x32.mat), the 26 032 test digits (test_32x32.mat) for validation.
# Views as CIFAR-10's without the horizontal flip (FixMatch does not flip digits): weak = 4-pixel random shift;
# strong = weak + FixMatch RandAugment + Cutout. Batches: B = 64 labeled + mu * B = 448 unlabeled.
_base_ = ['./cifar10_semi.py']
dataset_type = 'SemiSVHN'
data_root = 'data/svhn'
branch_field = ['sup', 'unsup_teacher', 'unsup_student']
pack = dict(type='mmpretrain.PackInputs')
weak_pipeline = [dict(type='mmpretrain.RandomCrop', crop_size=32, padding=4, padding_mode='reflect')]
strong_pipeline = weak_pipeline + [dict(type='FixMatchRandAugment', num_ops=2, cutout_ratio=0.5)]
labeled_dataset = dict(type=dataset_type, data_root=data_root, split='train', split_file=None,
                       pipeline=[dict(type='MultiBranch', branch_field=branch_field, sup=weak_pipeline + [pack])])
unlabeled_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    split='train',
    split_file=None,
    pipeline=[
        dict(type='MultiBranch', branch_field=branch_field,
             unsup_teacher=weak_pipeline + [pack],
             unsup_student=strong_pipeline + [pack]),
    ])
train_dataloader = dict(dataset=dict(datasets=[labeled_dataset, unlabeled_dataset]))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root, split='test'))
test_dataloader = val_dataloader
