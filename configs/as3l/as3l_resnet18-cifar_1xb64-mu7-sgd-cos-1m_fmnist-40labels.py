# AS3L (Wen et al. 2023) on Fashion-MNIST with 40 labels: FlexMatch whose pseudo-labels are fused with prior
# pseudo-labels, posterior = normalise(prior + p_weak), for the first T = 2^14 iterations, then plain FlexMatch.
# The labeled samples and the prior come from BYOL features (tools/as3l_select.py):
#   python tools/train.py configs/byol/byol_resnet18-cifar_1xb256-lars-200e_fashionmnist.py --work-dir work/byol
#   python tools/as3l_select.py configs/byol/byol_resnet18-cifar_1xb256-lars-200e_fashionmnist.py \
#       work/byol/<checkpoint>.pth --budget 40 --out-dir data/splits/fashion_mnist/as3l-40labels
# which writes labeled.txt (40 actively selected samples), unlabeled.txt (the other 59 960) and prior.npy
# ((59 960, 10), rows in unlabeled.txt order). Otherwise FixMatch's data, batch and schedule.
_base_ = ['../fixmatch/fixmatch_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py']
split = '{{ fileDirname }}/../../data/splits/fashion_mnist/as3l-40labels'
num_unlabeled = 59960
model = dict(
    type='AS3L',
    # FlexMatch's thresholds (0.95, convex mapping, warm-up) are the class defaults; the set's size is this split's
    semi_train_cfg=dict(
        confidence=dict(num_samples=num_unlabeled),
        prior_file=split + '/prior.npy',
        prior_iters=2**14))
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(_base_.labeled_dataset, split_file=split + '/labeled.txt'),
        dict(_base_.unlabeled_dataset, split_file=split + '/unlabeled.txt'),
    ]))
