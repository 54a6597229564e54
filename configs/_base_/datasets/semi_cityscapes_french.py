# Semi-supervised Cityscapes with French et al.'s CutMix augmentation (Britefury/cutmix-semisup-seg,
# run_cityscapes_experiments.sh: "--batch_size=4 ... -crop_size=256,512 --aug_hflip"; convert_cityscapes.py
# "--downsample 2"): the frames at half resolution (1024x512), a 256x512 crop and a horizontal flip; no scaling and
# no colour augmentation (the student's unlabeled view is the teacher's; CutMix mixing is the only perturbation);
# batches of 4 labeled + 4 unlabeled images. `sup_pipeline`: the labeled pipeline for the supervised baselines.
_base_ = ['./semi_cityscapes.py']
dataset_type = 'CityscapesTrainIdsDataset'
data_root = 'data/cityscapes'
crop_size = (256, 512)
branch_field = ['sup', 'unsup_teacher', 'unsup_student']
sup_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadCheckedAnnotations'),
    dict(type='Resize', scale=(1024, 512), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs'),
]
labeled_pipeline = sup_pipeline[:-1] + [
    dict(type='MultiBranch', branch_field=branch_field, sup=[dict(type='PackSegInputs')])]
unlabeled_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='Resize', scale=(1024, 512), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='MultiBranch', branch_field=branch_field,
         unsup_teacher=[dict(type='PackSegInputs')],
         unsup_student=[dict(type='PackSegInputs')]),  # no colour augmentation (French et al.)
]
labeled_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    data_prefix=dict(img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
    ann_file='',  # set by the leaf config: data/splits/cityscapes/<setting>/labeled.txt
    pipeline=labeled_pipeline)
unlabeled_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    data_prefix=dict(img_path='leftImg8bit/train'),
    ann_file='',  # set by the leaf config: data/splits/cityscapes/<setting>/unlabeled.txt
    with_label=False,
    pipeline=unlabeled_pipeline)
train_dataloader = dict(dataset=dict(datasets=[labeled_dataset, unlabeled_dataset]))
