# The schedule of the your-own-data templates (configs/custom/): the demo's optimiser for training from scratch
# (demo_1k.py: Adam 1e-3, poly decay) over 10k iterations, evaluated every 500, the best mIoU kept; log every 50.
_base_ = ['./demo_1k.py']
param_scheduler = [dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=10000, by_epoch=False)]
train_cfg = dict(max_iters=10000, val_interval=500)
default_hooks = dict(logger=dict(interval=50), checkpoint=dict(interval=500))
