# YOUR OWN DATA, supervised baseline: the labeled split only (compare with the CutMix template next to this file).
# Change the three lines below (the same as in cutmix_r18-d16_1xb16-10k_custom-256x256.py), see README "Your own data".
data_root = 'data/my_lesions'          # 1. your folder, holding images/ and masks/ (rename them below if needed)
classes = ('background', 'lesion')     # 2. your classes, background first
split = 'data/splits/my_lesions'       # 3. split folder of tools/make_splits.py --folder (--num = labeled count)
binary_masks = True

_base_ = [
    '../_base_/models/deeplabv3plus_r18-d16_demo.py', '../_base_/datasets/folder.py', '../_base_/default_runtime.py'
]
crop_size = (256, 256)
dataset = dict(type='FolderSegDataset', data_root=data_root, classes=classes, binary_masks=binary_masks,
               data_prefix=dict(img_path='images', seg_map_path='masks'))
model = dict(data_preprocessor=dict(size=crop_size), decode_head=dict(num_classes=len(classes)))
train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(dataset, ann_file=split + '/labeled.txt', pipeline=_base_.train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(dataset, ann_file=split + '/val.txt', pipeline=_base_.test_pipeline))
test_dataloader = val_dataloader
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-3, betas=(0.9, 0.999)))
param_scheduler = [dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=10000, by_epoch=False)]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=10000, val_interval=500)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=500, max_keep_ckpts=1, save_best='mIoU',
                    rule='greater'))
