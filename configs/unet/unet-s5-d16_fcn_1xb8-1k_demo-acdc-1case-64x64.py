# The ACDC supervised recipe on the demo scenes in the medical form (data/demo_acdc:
# `python tools/misc/make_demo_data.py --h5`), 1 labeled "case" (8 one-channel 128x128 slices, resized to 64x64 for
# the network): the small UNet from scratch, batches of 8 slices, 1000 iterations (CPU-sized) with AdamW lr 1e-3
# (poly; the ACDC configs' SGD lr 0.01 does not train in 1000 iterations: see the schedule); per-volume Dice / HD95
# on the 25 validation cases at 128x128. 3 / 7 cases: tools/experiments/seg_demo_medical.py swaps the split.
_base_ = [
    '../_base_/models/unet-s5-d16_fcn_1ch.py', '../_base_/datasets/demo_acdc.py', '../_base_/default_runtime.py',
    '../_base_/schedules/adamw_poly_1k_demo_acdc.py'
]
crop_size = (64, 64)
model = dict(data_preprocessor=dict(size=crop_size), decode_head=dict(num_classes=5))
split = '{{ fileDirname }}/../../data/splits/demo_acdc/1'
train_dataloader = dict(dataset=dict(ann_file=split + '/labeled.txt'))
val_dataloader = dict(dataset=dict(ann_file=split + '/val.txt'))
test_dataloader = dict(dataset=dict(ann_file=split + '/test.txt'))
