# Recipe: BYOL target pretraining on all Fashion-MNIST training images, then FixMatch with 40 labels starting from
# the BYOL backbone. `python tools/train.py <this file>` runs both stages in work_dir/{byol,fixmatch}.
# The BYOL Fashion-MNIST config pretrains a 1-channel stem; the FixMatch classifier repeats the grey images to
# 3 channels (GrayToRGB, for RandAugment's colour operations). So that the backbone fits, stage 1 runs here with
# GrayToRGB first in its pipeline, a 3-channel stem and 3-channel pixel statistics (its views are unchanged).
_views1 = [
    dict(type='mmpretrain.RandomResizedCrop', scale=28, crop_ratio_range=(0.2, 1.), backend='pillow'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='mmpretrain.GaussianBlur', magnitude_range=(0.1, 1.0), magnitude_std='inf', prob=0.5),
]
_views2 = _views1 + [dict(type='mmpretrain.Solarize', thr=128, prob=0.2)]
stages = [
    dict(
        name='byol',
        config='./byol/byol_resnet18-cifar_1xb256-lars-200e_fashionmnist.py',
        cfg_options={
            'model.backbone.in_channels': 3,
            'model.data_preprocessor.mean': [72.94] * 3,
            'model.data_preprocessor.std': [90.02] * 3,
            'train_dataloader.dataset.pipeline': [
                dict(type='GrayToRGB'),
                dict(type='mmpretrain.MultiView', num_views=[1, 1], transforms=[_views1, _views2]),
                dict(type='mmpretrain.PackInputs'),
            ],
        }),
    dict(
        name='fixmatch',
        config='./fixmatch/fixmatch_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py',
        init_backbone_from='byol',
        backbone_key='model.classifier.backbone'),
]
evaluate = True
