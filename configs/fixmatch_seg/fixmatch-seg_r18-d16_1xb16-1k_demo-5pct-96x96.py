# FixMatch for segmentation (Sohn et al. 2020, in the form of UniMatch's fixmatch.py) on the demo scenes, 5 % labels
# (~50 of 1000 training images), on the CutMix demo's network, schedule, batches and strong view
# (configs/cutmix/cutmix_r18-d16_1xb16-1k_demo-5pct-96x96.py).
# No EMA teacher: the model's own weak prediction gives hard pseudo-labels; pixels with confidence >= 0.95 train the
# strong view (colour jitter, grayscale, blur; CutMix p 0.5 with a box of 2-40 % showing another unlabeled scene)
# with a cross-entropy averaged over all valid pixels; loss = (L_sup + L_strong) / 2. The model is evaluated.
_base_ = ['../cutmix/cutmix_r18-d16_1xb16-1k_demo-5pct-96x96.py']
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
