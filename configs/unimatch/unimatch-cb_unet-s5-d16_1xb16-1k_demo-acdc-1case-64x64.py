# UniMatch on the medical demo (UNet from scratch, 1 labeled "case"; 3 / 7 cases: tools/experiments/
# seg_demo_medical.py swaps the split) with class-balanced confidence masks, as
# unimatch-cb_r18-d16_1xb16-1k_demo-5pct-96x96.py: the pixels that pass the 0.95 threshold carry the weight of every
# pixel predicted as their class (ConfidenceMask(class_balance=True)). Why: background fills ~82 % of the slices.
_base_ = './unimatch_unet-s5-d16_1xb16-1k_demo-acdc-1case-64x64.py'
model = dict(semi_train_cfg=dict(confidence=dict(class_balance=True)))
