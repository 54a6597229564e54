# Table I "FixMatch", CIFAR-10 with 4000 labels (400 per class); everything else as the 250-label config.
_base_ = ['./fixmatch_resnet18-cifar_1xb64-mu7-sgd-cos-1m_cifar10-250labels.py']
split = '{{ fileDirname }}/../../data/splits/cifar10/4000labels'
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(_base_.labeled_dataset, split_file=split + '/labeled.txt'),
        dict(_base_.unlabeled_dataset, split_file=split + '/unlabeled.txt'),
    ]))
