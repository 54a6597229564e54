# Runtime shared by every densessl config (mmseg's default_runtime with densessl's scope). `default_hooks` (logging,
# checkpoints, ...) live in the schedules (configs/_base_/schedules/*), as in mmseg: each logs and saves at its
# own interval.
default_scope = 'densessl'
env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # 'nccl' on GPUs; tools/train.py switches to 'gloo' by itself when no GPU is present.
    dist_cfg=dict(backend='nccl'),
)
vis_backends = [dict(type='LocalVisBackend')]
# no fixed `name` (mmseg's says 'visualizer'): MMEngine then names it after the run, so the Runners of a recipe's
# stages, built one after another in one process, each log into their own work dir instead of sharing the first's
visualizer = dict(type='SegLocalVisualizer', vis_backends=vis_backends)
log_processor = dict(by_epoch=False)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0)
