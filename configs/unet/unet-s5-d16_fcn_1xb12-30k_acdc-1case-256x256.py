# Supervised baseline on ACDC with 1 labeled case (32 slices of patient099, UniMatch / SSL4MIS split): the small
# UNet (16-256 channels, one input channel) from scratch on the labeled slices only, SGD lr 0.01 (momentum 0.9,
# weight decay 1e-4, poly 0.9), batches of 12 slices of 256x256, 30k iterations (SSL4MIS's schedule); evaluated
# per volume on the 10 validation patients every 1000 iterations (best mean Dice kept), tested on the 20 test
# patients: python tools/test.py CONFIG work_dirs/<config>/best_mDice_*.pth --cfg-options ... (see README).
# Field anchor (UniMatch README, supervised): 28.5 / 41.5 / 62.5 mean Dice with 1 / 3 / 7 cases.
_base_ = [
    '../_base_/models/unet-s5-d16_fcn_1ch.py', '../_base_/datasets/acdc.py', '../_base_/default_runtime.py',
    '../_base_/schedules/ssl4mis_sgd_poly_30k.py'
]
crop_size = (256, 256)
model = dict(data_preprocessor=dict(size=crop_size), decode_head=dict(num_classes=4))
split = '{{ fileDirname }}/../../data/splits/acdc/1'
train_dataloader = dict(dataset=dict(ann_file=split + '/labeled.txt'))
val_dataloader = dict(dataset=dict(ann_file=split + '/val.txt'))
test_dataloader = dict(dataset=dict(ann_file=split + '/test.txt'))
