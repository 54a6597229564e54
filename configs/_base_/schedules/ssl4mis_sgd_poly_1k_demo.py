# The ACDC schedule (ssl4mis_sgd_poly_30k.py: SGD lr 0.01, poly decay, best mean Dice kept) at the demo's CPU-sized
# length (demo_1k.py): 1000 iterations, evaluation and checkpoint every 250, log every 25. For the medical demo
# (data/demo_acdc).
_base_ = ['./ssl4mis_sgd_poly_30k.py']
param_scheduler = [dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=1000, by_epoch=False)]
train_cfg = dict(max_iters=1000, val_interval=250)
default_hooks = dict(logger=dict(interval=25), checkpoint=dict(interval=250))
