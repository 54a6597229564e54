# CutMix mean teacher (French et al., BMVC 2020) on the demo scenes, 5 % labels (~50 of 1000 training images): the
# CPU-sized demo of the paper's setup.
# DeepLabV3+ with a plain-stem ResNet-18 (OS16) from scratch; Adam lr 1e-3 (from scratch, not the paper's 1e-5
# fine-tuning rate), 1000 iterations, batches of 8 labeled + 8 unlabeled 96x96 crops; EMA teacher 0.99.
# CutMix: pairs of unlabeled images are mixed with one random box covering half of the image (random aspect ratio);
# the teacher's softmax on the unmixed weak views, mixed with the same box, is the target of a squared error
# on the student's softmax, every pixel weighted by the share of pixels whose teacher confidence is >= 0.97.
_base_ = [
    '../_base_/models/deeplabv3plus_r18-d16_demo.py', '../_base_/datasets/semi_demo_scenes.py',
    '../_base_/default_runtime.py', '../_base_/schedules/demo_1k.py'
]
crop_size = (96, 96)
data_preprocessor = dict(_base_.data_preprocessor, size=crop_size)
segmentor = dict(
    _base_.model,
    data_preprocessor=data_preprocessor,
    decode_head=dict(_base_.model.decode_head, num_classes=5),
)
model = dict(
    _delete_=True,
    type='CutMixSegmentor',
    segmentor=segmentor,
    data_preprocessor=dict(type='MultiBranchDataPreprocessor', data_preprocessor=data_preprocessor))
custom_hooks = [dict(type='MeanTeacherHook', teacher_momentum=0.99)]  # = momentum=0.01 (student share)
val_cfg = dict(type='TeacherStudentValLoop')  # teacher/* and student/* metrics; plain names = teacher
split = '{{ fileDirname }}/../../data/splits/demo/5pct'
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(_base_.labeled_dataset, ann_file=split + '/labeled.txt'),
        dict(_base_.unlabeled_dataset, ann_file=split + '/unlabeled.txt'),
    ]))
