# Table I "FixMatch", CIFAR-100 with 2500 labels (25 per class, as CIFAR-10's 250-label row; the issue names the
# dataset, not the count: change `split` for 400 or 10000). FixMatch's CIFAR-100 setting: weight decay 1e-3
# (Sohn et al., Table 4 of the supplement), everything else as the CIFAR-10 config; CIFAR-100 pixel statistics.
# Split files: python tools/make_cls_splits.py cifar100 --data-root data/cifar100 --num 2500
_base_ = ['./fixmatch_resnet18-cifar_1xb64-mu7-sgd-cos-1m_cifar10-250labels.py']
data_preprocessor = dict(type='mmpretrain.ClsDataPreprocessor', mean=[129.304, 124.07, 112.434],
                         std=[68.17, 65.392, 70.418], to_rgb=False)  # mmpretrain's CIFAR-100 statistics
model = dict(
    classifier=dict(data_preprocessor=data_preprocessor, head=dict(num_classes=100)),
    data_preprocessor=dict(data_preprocessor=data_preprocessor))
optim_wrapper = dict(optimizer=dict(weight_decay=1e-3))
split = '{{ fileDirname }}/../../data/splits/cifar100/2500labels'
cifar100 = dict(type='SemiCIFAR100', data_root='data/cifar100')
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(_base_.labeled_dataset, split_file=split + '/labeled.txt', **cifar100),
        dict(_base_.unlabeled_dataset, split_file=split + '/unlabeled.txt', **cifar100),
    ]))
val_dataloader = dict(dataset=cifar100)
test_dataloader = val_dataloader
