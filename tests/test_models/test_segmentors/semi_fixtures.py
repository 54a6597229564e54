"""A tiny semi-supervised segmentation setup for Runner-level tests (seconds on a CPU).

Reuses :mod:`tests.helpers.tiny_seg`'s images (a square and a disc on noise, 32 px) and its ResNet-18-at-1/8-width
DeepLabV3+; adds labeled / unlabeled split files, the multi-branch pipelines, the ratio sampler, the EMA hook and
the teacher-student validation loop.
"""
import copy
import os.path as osp

# registration of the pieces the configs name (until the package __init__ files import them)
import densessl.datasets.transforms.multi_branch  # noqa: F401
import densessl.datasets.transforms.strong_aug  # noqa: F401
import densessl.engine.hooks.mean_teacher_hook  # noqa: F401
import densessl.engine.runner  # noqa: F401
from tests.helpers.tiny_seg import CLASSES, tiny_seg_config, write_tiny_seg_data


def write_tiny_semi_data(root: str, n_labeled: int = 2, n_unlabeled: int = 6, n_val: int = 4) -> str:
    """Tiny images and masks plus ``labeled.txt`` / ``unlabeled.txt`` (the unlabeled split is read without masks)."""
    write_tiny_seg_data(root, n_train=n_labeled + n_unlabeled, n_val=n_val)
    with open(osp.join(root, 'train.txt')) as f:
        names = f.read().split()
    with open(osp.join(root, 'labeled.txt'), 'w') as f:
        f.write('\n'.join(names[:n_labeled]) + '\n')
    with open(osp.join(root, 'unlabeled.txt'), 'w') as f:
        f.write('\n'.join(names[n_labeled:]) + '\n')
    return root


def tiny_semi_config(root: str, segmentor_type: str = 'CutMixSegmentor', max_iters: int = 4, batch_size: int = 4,
                     val_interval: int = 2, ckpt_interval: int = 2, semi_train_cfg: dict = None,
                     strong_branches=('unsup_student', ), ema_teacher: bool = True) -> dict:
    """A Runner config training ``segmentor_type`` on :func:`write_tiny_semi_data`'s files (2:2 batches), with one
    strong view per name of ``strong_branches`` and, with ``ema_teacher``, a MeanTeacherHook and both networks
    validated."""
    cfg = tiny_seg_config(root, max_iters=max_iters, val_interval=val_interval, ckpt_interval=ckpt_interval)
    segmentor = copy.deepcopy(cfg['model'])
    segmentor['decode_head']['dropout_ratio'] = 0.1  # random layers must replay exactly on resume too
    branches = ['sup', 'unsup_teacher'] + list(strong_branches)
    sup_pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='LoadAnnotations'),
        dict(type='RandomFlip', prob=0.5),
        dict(type='MultiBranch', branch_field=branches, sup=[dict(type='PackSegInputs')]),
    ]
    unsup_pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='RandomFlip', prob=0.5),
        dict(type='MultiBranch', branch_field=branches,
             unsup_teacher=[dict(type='PackSegInputs')],
             **{b: [dict(type='StrongPhotometricAug'), dict(type='PackSegInputs')] for b in strong_branches}),
    ]
    common = dict(type='SplitSegDataset', data_root=root, metainfo=dict(classes=CLASSES), img_suffix='.png',
                  seg_map_suffix='.png')
    labeled = dict(common, ann_file='labeled.txt', data_prefix=dict(img_path='img', seg_map_path='ann'),
                   pipeline=sup_pipeline)
    unlabeled = dict(common, ann_file='unlabeled.txt', data_prefix=dict(img_path='img'), with_label=False,
                     pipeline=unsup_pipeline)
    cfg['train_dataloader'] = dict(
        batch_size=batch_size, num_workers=0,
        sampler=dict(type='MultiSourceSampler', batch_size=batch_size, source_ratio=[1, 1]),
        dataset=dict(type='ConcatDataset', datasets=[labeled, unlabeled]))
    cfg['model'] = dict(type=segmentor_type, segmentor=segmentor,
                        # low threshold: an untrained teacher is never 0.97-confident, and the test needs a signal
                        semi_train_cfg=dict(threshold=0.4, **(semi_train_cfg or {})),
                        semi_test_cfg=dict(predict_on='teacher'))
    if ema_teacher:
        cfg['custom_hooks'] = [dict(type='MeanTeacherHook', teacher_momentum=0.9)]
        cfg['val_cfg'] = dict(type='TeacherStudentValLoop')
    else:
        cfg['custom_hooks'] = []
        cfg['model']['semi_test_cfg'] = dict(predict_on='student')
    return cfg
