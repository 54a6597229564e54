# UniMatch on ACDC with 7 labeled cases (UniMatch / SSL4MIS split); everything else as the 1-case config.
_base_ = ['./unimatch_unet-s5-d16_1xb24-30k_acdc-1case-256x256.py']
split = '{{ fileDirname }}/../../data/splits/acdc/7'
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(_base_.labeled_dataset, ann_file=split + '/labeled.txt'),
        dict(_base_.unlabeled_dataset, ann_file=split + '/unlabeled.txt'),
    ]))
val_dataloader = dict(dataset=dict(ann_file=split + '/val.txt'))
test_dataloader = dict(dataset=dict(ann_file=split + '/test.txt'))
