# Table II "IN PixPro -> CutMix": CutMix mean teacher (French et al., BMVC 2020) on ISIC 2017, 10 labeled of 2000
# training images, DeepLabV3+ ResNet-50 (plain stem) OS16 starting from PixPro's ImageNet release (converted with
# tools/model_converters/pixpro2mmseg.py to checkpoints/pixpro_base_r50_400ep_backbone.pth).
# French et al.'s *ISIC* setup, not their VOC one (Britefury/cutmix-semisup-seg, run_isic2017_experiments.sh):
#   PARAMS_ISIC2017_DENSEUNET_IMAGENET="--batch_size=10 --iters_per_epoch=400 --num_epochs=100 --opt_type=sgd
#   --learning_rate=0.1 --sgd_weight_decay=5e-4 --lr_sched=poly --bin_fill_holes", AUG_ISIC2017_SCLROT="--crop_size=
#   224,224 --aug_hflip --aug_vflip --aug_hvflip --aug_max_scale=1.1 --aug_rot_mag=45.0 --aug_strong_colour",
#   REG_MASK_CUTMIX_CW1="--cons_weight=1.0 --mask_mode=mix --mask_prop_range=0.5 --conf_thresh=0.97"
# - batch norm trained (no --freeze_bn for ISIC): norm_eval=False, the statistics updated by every student pass;
# - colour jitter + grey on the student's unlabeled view only; rotation, scale, flips, 224x224 crops of 248x248
#   images; 10 labeled + 10 unlabeled per batch (configs/_base_/datasets/semi_isic2017_french.py);
# - SGD 0.1 (momentum 0.9, wd 5e-4), backbone at 0.1x, poly decay, 40k iterations
#   (configs/_base_/schedules/french_sgd_poly_40k.py);
# - CutMix as VOC (box of half the area, squared error, confidence share >= 0.97, EMA 0.99).
# Their network there is a DenseNet-161 U-Net; the seed paper's DeepLabV3+ R50 is kept.
_base_ = [
    '../_base_/models/deeplabv3plus_r50-d16.py', '../_base_/datasets/semi_isic2017_french.py',
    '../_base_/default_runtime.py', '../_base_/schedules/french_sgd_poly_40k.py'
]
in_pixpro = 'checkpoints/pixpro_base_r50_400ep_backbone.pth'
crop_size = (224, 224)
data_preprocessor = dict(_base_.data_preprocessor, size=crop_size)
segmentor = dict(
    _base_.model,
    data_preprocessor=data_preprocessor,
    backbone=dict(_base_.model.backbone, norm_eval=False, init_cfg=dict(type='Pretrained', checkpoint=in_pixpro)),
    decode_head=dict(_base_.model.decode_head, num_classes=2),
)
model = dict(
    _delete_=True,
    type='CutMixSegmentor',
    segmentor=segmentor,
    data_preprocessor=dict(type='MultiBranchDataPreprocessor', data_preprocessor=data_preprocessor),
    # CutMixSegmentor's defaults are French et al.'s (--cons_weight=1.0 --mask_prop_range=0.5 --conf_thresh=0.97);
    # French's code: the student's BN statistics follow the mixed, colour-jittered views too; the class default
    # 'frozen' keeps them to the clean views
    semi_train_cfg=dict(unsup_bn_stats='update'))
custom_hooks = [dict(type='MeanTeacherHook', teacher_momentum=0.99)]  # = momentum=0.01 (student share)
val_cfg = dict(type='TeacherStudentValLoop')  # teacher/* and student/* metrics; plain names = teacher
split = '{{ fileDirname }}/../../data/splits/isic2017/10'
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(_base_.labeled_dataset, ann_file=split + '/labeled.txt'),
        dict(_base_.unlabeled_dataset, ann_file=split + '/unlabeled.txt'),
    ]))
