# Runtime of the classification configs: densessl's default runtime with mmpretrain's visualizer and the EMA hook /
# teacher-student validation every semi-supervised classifier uses (the schedule sets top-1 as the best-checkpoint
# metric in its `default_hooks`).
_base_ = ['./default_runtime.py']
# modules the package __init__ files may not import (yet): registering them here keeps the configs self-contained
custom_imports = dict(
    imports=['densessl.engine.hooks.mean_teacher_hook', 'densessl.engine.runner', 'densessl.datasets.cls_datasets',
             'densessl.datasets.transforms.multi_branch', 'densessl.datasets.transforms.cls_views'],
    allow_failed_imports=False)
# no fixed `name`, as in default_runtime.py: each Runner of a recipe gets its own visualizer
visualizer = dict(type='mmpretrain.UniversalVisualizer', vis_backends=[dict(type='LocalVisBackend')])
# FixMatch evaluates an EMA of the student with decay 0.999 (= MMEngine momentum 0.001, the student's share)
custom_hooks = [dict(type='MeanTeacherHook', teacher_momentum=0.999)]
val_cfg = dict(type='TeacherStudentValLoop')  # teacher/* and student/* metrics; plain names = teacher (EMA)
test_cfg = dict(type='TestLoop')
