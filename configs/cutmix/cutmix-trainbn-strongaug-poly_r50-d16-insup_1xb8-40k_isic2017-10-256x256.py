# Named variant (the repository's earlier default, kept for comparison; not French et al.'s recipe): backbone BN
# trained (the student's unlabeled pass leaves the running statistics alone: unsup_bn_stats='frozen'),
# StrongPhotometricAug colour/grey/blur on the student's unlabeled view, one poly-decayed rate for all layers,
# mmseg's scale augmentation. The paper's recipe is the same name without '-trainbn-strongaug-poly' and with
# '-inpixpro' / '-insup' for the start. See configs/README.md.
# CutMix mean teacher (French et al., BMVC 2020) on ISIC 2017, 10 labeled of 2000 training images.
# Seed-paper hyperparameters of the CutMix learner: DeepLabV3+ ResNet-50 OS16 from ImageNet (torchvision weights,
# plain stem: the backbone the PixPro target-pretraining rows start from), Adam lr 1e-5, batch 8 (4 labeled + 4
# unlabeled),
# 40 epochs x 1000 iterations, 256x256 crops; EMA teacher 0.99 (MeanTeacherHook teacher_momentum).
# CutMix: pairs of unlabeled images are mixed with one random box covering half of the image (random aspect ratio);
# the teacher's softmax on the unmixed weak views, mixed with the same box, is the target of a squared error
# on the student's softmax, every pixel weighted by the share of pixels whose teacher confidence is >= 0.97.
_base_ = [
    '../_base_/models/deeplabv3plus_r50-d16.py', '../_base_/datasets/semi_isic2017.py',
    '../_base_/default_runtime.py', '../_base_/schedules/adam_40k.py'
]
crop_size = (256, 256)
data_preprocessor = dict(_base_.data_preprocessor, size=crop_size)
segmentor = dict(
    _base_.model,
    data_preprocessor=data_preprocessor,
    decode_head=dict(_base_.model.decode_head, num_classes=2),
)
model = dict(
    _delete_=True,
    type='CutMixSegmentor',
    segmentor=segmentor,
    data_preprocessor=dict(type='MultiBranchDataPreprocessor', data_preprocessor=data_preprocessor))
custom_hooks = [dict(type='MeanTeacherHook', teacher_momentum=0.99)]  # = momentum=0.01 (student share)
val_cfg = dict(type='TeacherStudentValLoop')  # teacher/* and student/* metrics; plain names = teacher
split = '{{ fileDirname }}/../../data/splits/isic2017/10'
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(_base_.labeled_dataset, ann_file=split + '/labeled.txt'),
        dict(_base_.unlabeled_dataset, ann_file=split + '/unlabeled.txt'),
    ]))
