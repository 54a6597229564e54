# Table II "IN PixPro -> CutMix": CutMix mean teacher (French et al., BMVC 2020) on Pascal VOC 2012 aug, 1 % labels
# (~106 of 10582 training images), DeepLabV3+ ResNet-50 (plain stem) OS16 starting from PixPro's ImageNet release
# (converted with tools/model_converters/pixpro2mmseg.py to checkpoints/pixpro_base_r50_400ep_backbone.pth).
# French et al.'s recipe, confirmed in their official code (Britefury/cutmix-semisup-seg):
#   PARAMS_PASCALAUG_DEEPLAB3PLUSI="... --freeze_bn --batch_size=10 --learning_rate=1e-5 --iters_per_epoch=1000
#   --num_epochs=40" and REG_MASK_CUTMIX="--cons_weight=1.0 --mask_mode=mix --mask_prop_range=0.5 --conf_thresh=0.97"
# - batch norm frozen (--freeze_bn: "self.deeplab.backbone.apply(freeze_bn_module)", i.e. the backbone's BN layers
#   in eval mode, their affine parameters still trained) = mmseg `norm_eval=True` on the backbone; the head's BN
#   trains and updates its statistics on every student pass, unlabeled ones included (unsup_bn_stats='update');
# - no colour augmentation: the student sees the teacher's view, mixed (configs/_base_/datasets/
#   semi_voc12aug_french.py); Hung's scale 0.5-1.5, 321x321 crops, horizontal flips;
# - Adam 1e-5, backbone at 0.1x (paramwise lr_mult), constant rate, 40k iterations
#   (configs/_base_/schedules/french_adam_const_40k.py);
# - CutMix: one box of half the image area, random aspect ratio, mixing pairs of unlabeled images; the teacher's
#   softmax on the unmixed views, mixed with the same box, is the target of a squared error summed over classes
#   ("--cons_loss_fn var"), every pixel weighted by the share of pixels whose teacher confidence is >= 0.97
#   (conf_per_pixel off); EMA teacher 0.99 ("--teacher_alpha 0.99"), evaluated.
# Note: in the DeepLabV3+ wrapper of the commit read (3a8839c, architectures/deeplab3plus.py) `pretraining` is left
# None, so that network's backbone actually trained at the head's rate; the 0.1x rule of the training script is the
# one every other network of the repository gets, and the one used here.
_base_ = [
    '../_base_/models/deeplabv3plus_r50-d16.py', '../_base_/datasets/semi_voc12aug_french.py',
    '../_base_/default_runtime.py', '../_base_/schedules/french_adam_const_40k.py'
]
in_pixpro = 'checkpoints/pixpro_base_r50_400ep_backbone.pth'
crop_size = (321, 321)
data_preprocessor = dict(_base_.data_preprocessor, size=crop_size)
segmentor = dict(
    _base_.model,
    data_preprocessor=data_preprocessor,
    backbone=dict(_base_.model.backbone, norm_eval=True, init_cfg=dict(type='Pretrained', checkpoint=in_pixpro)),
    decode_head=dict(_base_.model.decode_head, num_classes=21),
)
model = dict(
    _delete_=True,
    type='CutMixSegmentor',
    segmentor=segmentor,
    data_preprocessor=dict(type='MultiBranchDataPreprocessor', data_preprocessor=data_preprocessor),
    # CutMixSegmentor's defaults are French et al.'s (--cons_weight=1.0 --mask_prop_range=0.5 --conf_thresh=0.97);
    # French's code: the head's BN statistics follow the mixed views too (the backbone's BN is frozen); the class
    # default 'frozen' keeps every running statistic to the clean views
    semi_train_cfg=dict(unsup_bn_stats='update'))
custom_hooks = [dict(type='MeanTeacherHook', teacher_momentum=0.99)]  # = momentum=0.01 (student share)
val_cfg = dict(type='TeacherStudentValLoop')  # teacher/* and student/* metrics; plain names = teacher
split = '{{ fileDirname }}/../../data/splits/voc/1pct'
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(_base_.labeled_dataset, ann_file=split + '/labeled.txt'),
        dict(_base_.unlabeled_dataset, ann_file=split + '/unlabeled.txt'),
    ]))
