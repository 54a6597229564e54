# FixMatch for segmentation (UniMatch's fixmatch.py form) on ACDC with 3 labeled case(s) (UniMatch / SSL4MIS split),
# on the network, schedule, batches and one-channel strong view of the CutMix ACDC config
# (configs/cutmix/cutmix_unet-s5-d16_1xb24-30k_acdc-3case-256x256.py): small UNet from scratch, SGD lr 0.01,
# 12 labeled + 12 unlabeled 256x256 slices, 30k iterations. No EMA teacher: the model's own weak prediction gives hard
# pseudo-labels; pixels with confidence >= 0.95 train the strong view (colour jitter + blur; CutMix p 0.5 with a box of
# 2-40 % of the slice showing another unlabeled slice); loss = (L_sup + L_strong) / 2 (UniMatch's medical code uses
# a masked Dice loss on the unlabeled term; here a masked cross-entropy). The model is evaluated per volume.
_base_ = ['../cutmix/cutmix_unet-s5-d16_1xb24-30k_acdc-3case-256x256.py']
model = dict(
    _delete_=True,
    type='FixMatchSegmentor',
    segmentor=_base_.segmentor,
    data_preprocessor=dict(type='MultiBranchDataPreprocessor', data_preprocessor=_base_.data_preprocessor),
    semi_train_cfg=dict(
        sup_weight=0.5,
        unsup_weight=0.5,
        pseudo_label_from='student',
        pseudo_label=dict(type='PseudoLabeler', mode='hard'),
        confidence=dict(type='ConfidenceMask', threshold=0.95, mode='pixel'),
        unsup_loss=dict(type='ConsistencyLoss', loss_type='ce'),
        mix=dict(type='CutMixMask', area=(0.02, 0.4), aspect_ratio=(0.3, 1 / 0.3), prob=0.5, box_from='partner')),
    semi_test_cfg=dict(predict_on='student'))
custom_hooks = []
val_cfg = dict(type='ValLoop')
