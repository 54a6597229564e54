# CutMix mean teacher (French et al., BMVC 2020) on ACDC with 1 labeled case (32 slices; 1280 unlabeled slices of
# the other 69 training patients; UniMatch / SSL4MIS split). The small UNet (16-256 channels, one input channel)
# from scratch, SGD lr 0.01 (momentum 0.9, weight decay 1e-4, poly 0.9), batches of 12 labeled + 12 unlabeled
# 256x256 slices, 30k iterations; EMA teacher 0.99. CutMix: pairs of unlabeled slices mixed with one random box of
# half the slice; the teacher's softmax on the weak views, mixed with the same box, is the target of a squared error
# on the student's softmax of the strong (colour jitter + blur) mixed view, weighted by the share of pixels whose
# teacher confidence is >= 0.97. The teacher is evaluated per volume (mean Dice over RV / Myo / LV).
_base_ = [
    '../_base_/models/unet-s5-d16_fcn_1ch.py', '../_base_/datasets/semi_acdc.py', '../_base_/default_runtime.py',
    '../_base_/schedules/ssl4mis_sgd_poly_30k.py'
]
crop_size = (256, 256)
data_preprocessor = dict(_base_.data_preprocessor, size=crop_size)
segmentor = dict(
    _base_.model,
    data_preprocessor=data_preprocessor,
    decode_head=dict(_base_.model.decode_head, num_classes=4),
)
model = dict(
    _delete_=True,
    type='CutMixSegmentor',
    segmentor=segmentor,
    data_preprocessor=dict(type='MultiBranchDataPreprocessor', data_preprocessor=data_preprocessor))
custom_hooks = [dict(type='MeanTeacherHook', teacher_momentum=0.99)]  # = momentum=0.01 (student share)
val_cfg = dict(type='TeacherStudentValLoop')  # teacher/* and student/* metrics; plain names = teacher
split = '{{ fileDirname }}/../../data/splits/acdc/1'
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(_base_.labeled_dataset, ann_file=split + '/labeled.txt'),
        dict(_base_.unlabeled_dataset, ann_file=split + '/unlabeled.txt'),
    ]))
val_dataloader = dict(dataset=dict(ann_file=split + '/val.txt'))
test_dataloader = dict(dataset=dict(ann_file=split + '/test.txt'))
