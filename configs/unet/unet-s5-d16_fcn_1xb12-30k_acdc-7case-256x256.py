# Supervised baseline on ACDC with 7 labeled cases (the first 7 patients of SSL4MIS's list, UniMatch's split);
# everything else as the 1-case config.
_base_ = ['./unet-s5-d16_fcn_1xb12-30k_acdc-1case-256x256.py']
split = '{{ fileDirname }}/../../data/splits/acdc/7'
train_dataloader = dict(dataset=dict(ann_file=split + '/labeled.txt'))
val_dataloader = dict(dataset=dict(ann_file=split + '/val.txt'))
test_dataloader = dict(dataset=dict(ann_file=split + '/test.txt'))
