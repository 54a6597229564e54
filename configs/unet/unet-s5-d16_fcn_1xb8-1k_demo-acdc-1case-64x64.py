# The ACDC supervised recipe on the demo scenes in the medical form (data/demo_acdc:
# `python tools/misc/make_demo_data.py --h5`), 1 labeled "case" (8 one-channel 128x128 slices, resized to 64x64 for
# the network): the small UNet from scratch, SGD lr 0.01 (momentum 0.9, weight decay 1e-4, poly 0.9) as the ACDC
# configs, batches of 8 slices, 1000 iterations (CPU-sized); per-volume Dice / HD95 on the 25 validation cases at
# 128x128. 3 / 7 cases: tools/experiments/seg_demo_medical.py swaps the split.
_base_ = [
    '../_base_/models/unet-s5-d16_fcn_1ch.py', '../_base_/datasets/demo_acdc.py', '../_base_/default_runtime.py'
]
crop_size = (64, 64)
model = dict(data_preprocessor=dict(size=crop_size), decode_head=dict(num_classes=5))
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4))
param_scheduler = [dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=1000, by_epoch=False)]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=1000, val_interval=250)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=25, log_metric_by_epoch=False),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=250, max_keep_ckpts=1, save_best='mDice',
                    rule='greater'))
split = '{{ fileDirname }}/../../data/splits/demo_acdc/1'
train_dataloader = dict(dataset=dict(ann_file=split + '/labeled.txt'))
val_dataloader = dict(dataset=dict(ann_file=split + '/val.txt'))
test_dataloader = dict(dataset=dict(ann_file=split + '/test.txt'))
