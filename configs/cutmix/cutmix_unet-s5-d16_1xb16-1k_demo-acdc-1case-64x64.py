# The ACDC CutMix mean-teacher recipe (configs/cutmix/cutmix_unet-s5-d16_1xb24-30k_acdc-1case-256x256.py) on the demo
# scenes in the medical form (data/demo_acdc: `python tools/misc/make_demo_data.py --h5`), 1 labeled "case" (8
# slices), 992 unlabeled slices: small UNet from scratch, batches of 8 labeled + 8 unlabeled slices resized from
# 128x128 to 64x64, 1000 iterations (CPU-sized) with AdamW lr 1e-3 (poly; ACDC's SGD lr 0.01 does not train in 1000
# iterations: see the schedule), EMA teacher 0.99; the teacher is evaluated per volume at 128x128.
_base_ = [
    '../_base_/models/unet-s5-d16_fcn_1ch.py', '../_base_/datasets/demo_acdc.py', '../_base_/default_runtime.py',
    '../_base_/schedules/adamw_poly_1k_demo_acdc.py'
]
crop_size = (64, 64)
data_preprocessor = dict(_base_.data_preprocessor, size=crop_size)
segmentor = dict(_base_.model, data_preprocessor=data_preprocessor,
                 decode_head=dict(_base_.model.decode_head, num_classes=5))
model = dict(
    _delete_=True,
    type='CutMixSegmentor',
    segmentor=segmentor,
    data_preprocessor=dict(type='MultiBranchDataPreprocessor', data_preprocessor=data_preprocessor))
custom_hooks = [dict(type='MeanTeacherHook', teacher_momentum=0.99)]  # = momentum=0.01 (student share)
val_cfg = dict(type='TeacherStudentValLoop')  # teacher/* and student/* metrics; plain names = teacher
split = '{{ fileDirname }}/../../data/splits/demo_acdc/1'
train_dataloader = dict(
    _delete_=True,
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='MultiSourceSampler', batch_size=16, source_ratio=[1, 1]),
    dataset=dict(type='ConcatDataset', datasets=[
        dict(type=_base_.dataset_type, data_root=_base_.data_root, ann_file=split + '/labeled.txt',
             pipeline=_base_.labeled_pipeline),
        dict(type=_base_.dataset_type, data_root=_base_.data_root, ann_file=split + '/unlabeled.txt',
             with_label=False, pipeline=_base_.unlabeled_pipeline),
    ]))
val_dataloader = dict(dataset=dict(ann_file=split + '/val.txt'))
test_dataloader = dict(dataset=dict(ann_file=split + '/test.txt'))
