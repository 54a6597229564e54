# FixMatch for segmentation on the demo scenes, 2 % labels (~20 of 1000 training images); everything else as the 5pct
# config.
_base_ = ['./fixmatch-seg_r18-d16_1xb16-1k_demo-5pct-96x96.py']
split = '{{ fileDirname }}/../../data/splits/demo/2pct'
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(_base_.labeled_dataset, ann_file=split + '/labeled.txt'),
        dict(_base_.unlabeled_dataset, ann_file=split + '/unlabeled.txt'),
    ]))
