# Table II "IN PixPro -> CutMix": CutMix mean teacher (French et al., BMVC 2020) on Cityscapes, 100 labeled of 2975
# training images, DeepLabV3+ ResNet-50 (plain stem) OS16 starting from PixPro's ImageNet release (converted with
# tools/model_converters/pixpro2mmseg.py to checkpoints/pixpro_base_r50_400ep_backbone.pth).
# French et al.'s recipe, confirmed in their official code (Britefury/cutmix-semisup-seg,
# run_cityscapes_experiments.sh):
#   PARAMS_CITYSCAPES_DEEPLAB2I="... --freeze_bn --batch_size=4 --learning_rate=3e-5 --iters_per_epoch=1000
#   --num_epochs=40", AUG_CITYSCAPES="-crop_size=256,512 --aug_hflip", REG_MASK_CUTMIX as VOC
# - backbone BN frozen (norm_eval=True); the head's BN trains on every student pass (unsup_bn_stats='update');
# - no colour augmentation (configs/_base_/datasets/semi_cityscapes_french.py): half-resolution frames, 256x512
#   crops, horizontal flips, 4 labeled + 4 unlabeled images per batch;
# - Adam 3e-5, backbone at 0.1x, constant rate, 40k iterations;
# - CutMix as the VOC config (box of half the area, squared error, confidence share >= 0.97, EMA 0.99).
# Evaluation: sliding 256x512 windows on the 1024x512 frame, as before (French et al. evaluate the whole frame).
_base_ = [
    '../_base_/models/deeplabv3plus_r50-d16.py', '../_base_/datasets/semi_cityscapes_french.py',
    '../_base_/default_runtime.py', '../_base_/schedules/french_adam_const_40k.py'
]
in_pixpro = 'checkpoints/pixpro_base_r50_400ep_backbone.pth'
crop_size = (256, 512)
data_preprocessor = dict(_base_.data_preprocessor, size=crop_size)
segmentor = dict(
    _base_.model,
    data_preprocessor=data_preprocessor,
    backbone=dict(_base_.model.backbone, norm_eval=True, init_cfg=dict(type='Pretrained', checkpoint=in_pixpro)),
    decode_head=dict(_base_.model.decode_head, num_classes=19),
    test_cfg=dict(mode='slide', crop_size=(256, 512), stride=(171, 341)),
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
optim_wrapper = dict(optimizer=dict(lr=3e-5))  # --learning_rate=3e-5 (backbone 3e-6)
custom_hooks = [dict(type='MeanTeacherHook', teacher_momentum=0.99)]  # = momentum=0.01 (student share)
val_cfg = dict(type='TeacherStudentValLoop')  # teacher/* and student/* metrics; plain names = teacher
split = '{{ fileDirname }}/../../data/splits/cityscapes/100'
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(_base_.labeled_dataset, ann_file=split + '/labeled.txt'),
        dict(_base_.unlabeled_dataset, ann_file=split + '/unlabeled.txt'),
    ]))
