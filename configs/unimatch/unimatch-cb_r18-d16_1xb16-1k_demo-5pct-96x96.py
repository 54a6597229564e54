# UniMatch on the demo scenes, 5 % labels, with class-balanced confidence masks: the pixels that pass the 0.95
# threshold carry the weight of every pixel predicted as their class (ConfidenceMask(class_balance=True)).
# Why: on the demo, 97 % of the pixels that pass the threshold are background, so the unlabeled images teach the
# foreground classes almost nothing (tools/experiments/seg_mix_diagnostics.py; configs/unimatch/README.md).
_base_ = './unimatch_r18-d16_1xb16-1k_demo-5pct-96x96.py'
model = dict(semi_train_cfg=dict(confidence=dict(class_balance=True)))
