# Semi-supervised Kvasir-SEG: labeled + unlabeled splits of the converter's 800 training images (256x256), batches of
# 8 labeled + 8 unlabeled images; unlabeled images need no mask (pipelines of folder.py). A leaf config sets the
# split files (data/splits/kvasir/<setting>/).
_base_ = ['./kvasir.py']
labeled_dataset = dict(
    type='KvasirSEGDataset',
    data_root='data/Kvasir-SEG',
    data_prefix=dict(img_path='images', seg_map_path='masks_01'),
    ann_file='',  # leaf: data/splits/kvasir/<setting>/labeled.txt
    pipeline={{_base_.labeled_pipeline}})
unlabeled_dataset = dict(
    type='KvasirSEGDataset',
    data_root='data/Kvasir-SEG',
    data_prefix=dict(img_path='images'),
    ann_file='',  # leaf: data/splits/kvasir/<setting>/unlabeled.txt
    with_label=False,
    pipeline={{_base_.unlabeled_pipeline}})
train_dataloader = dict(
    _delete_=True,
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='MultiSourceSampler', batch_size=16, source_ratio=[1, 1]),
    dataset=dict(type='ConcatDataset', datasets=[labeled_dataset, unlabeled_dataset]))
