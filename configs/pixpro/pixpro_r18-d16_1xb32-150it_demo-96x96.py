# PixPro target pretraining on the demo scenes at half the length of pixpro_r18-d16_1xb32-300it_demo-96x96.py:
# 150 iterations of 32 pairs of views, the same warm-up (20 iterations) then cosine to 0. The PixPro stage of the
# demo recipes (configs/pixpro_demo_5pct.py, configs/pixpro_unimatch_demo_5pct.py), sized to the time budget of
# the README's first command (measured times: configs/pixpro/README.md).
_base_ = ['./pixpro_r18-d16_1xb32-300it_demo-96x96.py']
max_iters = 150
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=20),
    dict(type='CosineAnnealingLR', T_max=max_iters - 20, eta_min=0., by_epoch=False, begin=20, end=max_iters),
]
train_cfg = dict(max_iters=max_iters)
default_hooks = dict(checkpoint=dict(interval=max_iters))
