# BYOL target pretraining on the 73 257 SVHN training digits (labels unused): the CIFAR-10 config (seed 003's BYOL
# schedule: batch 256, base lr 0.3 auto-scaled, 300 epochs) with SVHN's images and pixel statistics; the views
# drop the horizontal flip (digits).
_base_ = ['./byol_resnet18-cifar_1xb256-lars-300e_cifar10.py']
model = dict(data_preprocessor=dict(mean=[111.61, 113.16, 120.57], std=[50.50, 51.26, 50.24]))
view_pipeline1 = [
    dict(type='mmpretrain.RandomResizedCrop', scale=32, crop_ratio_range=(0.08, 1.), backend='pillow'),
    dict(type='RandomApply', prob=0.8,
         transforms=[dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.2, hue=0.1)]),
    dict(type='mmpretrain.RandomGrayscale', prob=0.2, keep_channels=True, channel_weights=(0.114, 0.587, 0.2989)),
]
view_pipeline2 = view_pipeline1 + [dict(type='mmpretrain.Solarize', thr=128, prob=0.2)]
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='SemiSVHN',
        data_root='data/svhn',
        split='train',
        pipeline=[
            dict(type='mmpretrain.MultiView', num_views=[1, 1], transforms=[view_pipeline1, view_pipeline2]),
            dict(type='mmpretrain.PackInputs'),
        ]))
