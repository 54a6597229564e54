# Semi-supervised ISIC 2018 task 1: labeled + unlabeled splits of the 2594 training images (256x256), batches of
# 8 labeled + 8 unlabeled images, iteration-based; unlabeled images need no mask, their two views share the
# geometry (pipelines of folder.py). A leaf config sets the split files (data/splits/isic2018/<setting>/).
_base_ = ['./isic2018.py']
labeled_dataset = dict(
    type='ISIC2018Dataset',
    data_root='data/ISIC2018',
    data_prefix=dict(img_path='ISIC2018_Task1-2_Training_Input', seg_map_path='ISIC2018_Task1_Training_GroundTruth_01'),
    ann_file='',  # leaf: data/splits/isic2018/<setting>/labeled.txt
    pipeline={{_base_.labeled_pipeline}})
unlabeled_dataset = dict(
    type='ISIC2018Dataset',
    data_root='data/ISIC2018',
    data_prefix=dict(img_path='ISIC2018_Task1-2_Training_Input'),
    ann_file='',  # leaf: data/splits/isic2018/<setting>/unlabeled.txt
    with_label=False,
    pipeline={{_base_.unlabeled_pipeline}})
train_dataloader = dict(
    _delete_=True,
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='MultiSourceSampler', batch_size=16, source_ratio=[1, 1]),
    dataset=dict(type='ConcatDataset', datasets=[labeled_dataset, unlabeled_dataset]))
