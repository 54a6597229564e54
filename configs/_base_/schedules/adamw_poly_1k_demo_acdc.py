# The schedule of the medical demo (data/demo_acdc): the ACDC schedule (ssl4mis_sgd_poly_30k.py: poly decay, best mean
# Dice kept) at the demo's CPU-sized length, 1000 iterations, with AdamW lr 1e-3 (weight decay 1e-4) instead of SGD
# lr 0.01. At 1/30 of ACDC's 30k iterations SGD does not get a UNet from scratch out of predicting background: on the
# 3-case split, seed 1, after 1000 iterations: SGD lr 0.01 mean Dice 0.00 (train accuracy stuck at the background
# share, ~83 %), SGD lr 0.05 8.1, AdamW lr 1e-3 26.0; see configs/unet/README.md.
# Evaluation and checkpoint every 250 iterations, log every 25.
_base_ = ['./ssl4mis_sgd_poly_30k.py']
optim_wrapper = dict(optimizer=dict(_delete_=True, type='AdamW', lr=1e-3, weight_decay=1e-4))
param_scheduler = [dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=1000, by_epoch=False)]
train_cfg = dict(max_iters=1000, val_interval=250)
default_hooks = dict(logger=dict(interval=25), checkpoint=dict(interval=250))
