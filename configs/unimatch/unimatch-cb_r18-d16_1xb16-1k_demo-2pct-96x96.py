# UniMatch with class-balanced confidence masks on the demo scenes, 2 % labels; everything else as
# unimatch-cb_r18-d16_1xb16-1k_demo-5pct-96x96.py.
_base_ = './unimatch_r18-d16_1xb16-1k_demo-2pct-96x96.py'
model = dict(semi_train_cfg=dict(confidence=dict(class_balance=True)))
