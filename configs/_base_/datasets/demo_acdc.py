# The demo scenes in the medical form (data/demo_acdc, written by `python tools/misc/make_demo_data.py --h5`): 128x128
# one-channel slices of the Fashion-MNIST scenes (5 classes) stacked 8 by 8 into "case" volumes, in the ACDC h5
# layout; 125 training cases, 25 validation cases (also the test set). The ACDC recipe at CPU size: slices resized
# to 64x64 for the network (ACDC: 256x256) and the logits resized back to the 128x128 slices for evaluation,
# UniMatch's rotation / flip augmentation, per-volume Dice / HD95 / IoU. Pipelines for the
# supervised (train_pipeline), CutMix (labeled_/unlabeled_pipeline) and UniMatch (*_2strong) configs; the leaf
# configs set the split files (data/splits/demo_acdc/<cases>/).
dataset_type = 'DemoACDCDataset'
data_root = 'data/demo_acdc'
crop_size = (64, 64)
volume_meta_keys = ('img_path', 'seg_map_path', 'ori_shape', 'img_shape', 'pad_shape', 'scale_factor', 'flip',
                    'flip_direction', 'reduce_zero_label', 'volume_id', 'slice_index', 'num_slices')
geometry = [
    dict(type='RandomRotFlip', rotate_prob=0.25, flip_prob=2 / 3, degree=20),
    dict(type='Resize', scale=crop_size, keep_ratio=False),
]
train_pipeline = [dict(type='LoadH5ImageFromFile'), dict(type='LoadH5Annotations')] + geometry + [
    dict(type='PackSegInputs')]
test_pipeline = [
    dict(type='LoadH5ImageFromFile'),
    dict(type='Resize', scale=crop_size, keep_ratio=False),
    dict(type='LoadH5Annotations'),
    dict(type='PackSegInputs', meta_keys=volume_meta_keys)
]
strong = [dict(type='GrayPhotometricAug'), dict(type='PackSegInputs')]
branches = ['sup', 'unsup_teacher', 'unsup_student']
labeled_pipeline = [dict(type='LoadH5ImageFromFile'), dict(type='LoadH5Annotations')] + geometry + [
    dict(type='MultiBranch', branch_field=branches, sup=[dict(type='PackSegInputs')])]
unlabeled_pipeline = [dict(type='LoadH5ImageFromFile')] + geometry + [
    dict(type='MultiBranch', branch_field=branches, unsup_teacher=[dict(type='PackSegInputs')], unsup_student=strong)]
branches_2strong = branches + ['unsup_student2']
labeled_pipeline_2strong = [dict(type='LoadH5ImageFromFile'), dict(type='LoadH5Annotations')] + geometry + [
    dict(type='MultiBranch', branch_field=branches_2strong, sup=[dict(type='PackSegInputs')])]
unlabeled_pipeline_2strong = [dict(type='LoadH5ImageFromFile')] + geometry + [
    dict(type='MultiBranch', branch_field=branches_2strong, unsup_teacher=[dict(type='PackSegInputs')],
         unsup_student=strong, unsup_student2=strong)]
train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type=dataset_type, data_root=data_root, ann_file='', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, data_root=data_root, ann_file='', volumes=True, pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='VolumeMetric', scores=['Dice', 'HD95', 'IoU'])
test_evaluator = val_evaluator
