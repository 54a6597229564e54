# The ACDC UniMatch recipe (configs/unimatch/unimatch_unet-s5-d16_1xb24-30k_acdc-1case-256x256.py) on the demo scenes
# in the medical form (data/demo_acdc: `python tools/misc/make_demo_data.py --h5`), 1 labeled "case" (8 slices), on
# the network, schedule and batches of the CutMix demo config next to the CutMix configs
# (configs/cutmix/cutmix_unet-s5-d16_1xb16-1k_demo-acdc-1case-64x64.py): two one-channel strong views, CutMix
# p 0.5, feature dropout 0.5, tau 0.95; the model is evaluated per volume.
_base_ = ['../cutmix/cutmix_unet-s5-d16_1xb16-1k_demo-acdc-1case-64x64.py']
model = dict(
    _delete_=True,
    type='UniMatchSegmentor',
    segmentor=_base_.segmentor,
    data_preprocessor=dict(type='MultiBranchDataPreprocessor', data_preprocessor=_base_.data_preprocessor),
    semi_train_cfg=dict(
        sup_weight=0.5,
        unsup_weight=0.5,
        pseudo_label_from='student',
        pseudo_label=dict(type='PseudoLabeler', mode='hard'),
        confidence=dict(type='ConfidenceMask', threshold=0.95, mode='pixel'),
        unsup_loss=dict(type='ConsistencyLoss', loss_type='ce'),
        mix=dict(type='CutMixMask', area=(0.02, 0.4), aspect_ratio=(0.3, 1 / 0.3), prob=0.5, box_from='partner'),
        strong_branches=('unsup_student', 'unsup_student2'),
        strong_weights=(0.25, 0.25),
        feature_perturbation=dict(type='FeatureDropout', p=0.5),
        fp_weight=0.5),
    semi_test_cfg=dict(predict_on='student'))
custom_hooks = []
val_cfg = dict(type='ValLoop')
split = '{{ fileDirname }}/../../data/splits/demo_acdc/1'
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(type=_base_.dataset_type, data_root=_base_.data_root, ann_file=split + '/labeled.txt',
             pipeline=_base_.labeled_pipeline_2strong),
        dict(type=_base_.dataset_type, data_root=_base_.data_root, ann_file=split + '/unlabeled.txt',
             with_label=False, pipeline=_base_.unlabeled_pipeline_2strong),
    ]))
