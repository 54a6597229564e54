"""A tiny segmentation dataset and model config for Runner-level tests (seconds on a CPU)."""
import os
import os.path as osp

import numpy as np
from PIL import Image

CLASSES = ('background', 'square', 'disc')


def write_tiny_seg_data(root: str, n_train: int = 8, n_val: int = 5, size: int = 32, seed: int = 0) -> str:
    """Write images with a bright square / disc on noise and their index masks.

    Layout: ``root/img/<name>.png``, ``root/ann/<name>.png``, ``root/train.txt``, ``root/val.txt``.
    """
    rng = np.random.default_rng(seed)
    os.makedirs(osp.join(root, 'img'), exist_ok=True)
    os.makedirs(osp.join(root, 'ann'), exist_ok=True)
    yy, xx = np.mgrid[:size, :size]
    names = []
    for i in range(n_train + n_val):
        img = rng.integers(0, 80, (size, size, 3), dtype=np.uint8)
        mask = np.zeros((size, size), np.uint8)
        for cls in (1, 2):
            cy, cx = rng.integers(6, size - 6, 2)
            r = int(rng.integers(3, 6))
            region = (np.abs(yy - cy) <= r) & (np.abs(xx - cx) <= r) if cls == 1 else \
                (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
            mask[region] = cls
            img[region] = (200, 60, 60) if cls == 1 else (60, 60, 200)
        name = f'tiny_{i:03d}'
        Image.fromarray(img).save(osp.join(root, 'img', name + '.png'))
        Image.fromarray(mask).save(osp.join(root, 'ann', name + '.png'))
        names.append(name)
    with open(osp.join(root, 'train.txt'), 'w') as f:
        f.write('\n'.join(names[:n_train]) + '\n')
    with open(osp.join(root, 'val.txt'), 'w') as f:
        f.write('\n'.join(names[n_train:]) + '\n')
    return root


def tiny_seg_config(data_root: str, max_iters: int = 4, val_interval: int = 2, ckpt_interval: int = 2,
                    batch_size: int = 2, metric: str = 'IoUMetric') -> dict:
    """An EncoderDecoder (ResNet-18 at 1/8 width, DeepLabV3+ head) on :func:`write_tiny_seg_data`'s files."""
    norm_cfg = dict(type='BN', requires_grad=True)
    ds = dict(type='BaseSegDataset', data_root=data_root, metainfo=dict(classes=CLASSES),
              data_prefix=dict(img_path='img', seg_map_path='ann'), img_suffix='.png', seg_map_suffix='.png')
    train_pipeline = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'),
                      dict(type='RandomFlip', prob=0.5), dict(type='PackSegInputs')]
    test_pipeline = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'), dict(type='PackSegInputs')]
    return dict(
        default_scope='densessl',
        model=dict(
            type='EncoderDecoder',
            data_preprocessor=dict(type='SegDataPreProcessor', mean=[0., 0., 0.], std=[255., 255., 255.],
                                   bgr_to_rgb=True, pad_val=0, seg_pad_val=255, size=(32, 32)),
            backbone=dict(type='ResNet', depth=18, stem_channels=8, base_channels=8, num_stages=4,
                          out_indices=(0, 1, 2, 3), strides=(1, 2, 2, 1), dilations=(1, 1, 1, 2),
                          norm_cfg=norm_cfg, contract_dilation=False),
            decode_head=dict(type='DepthwiseSeparableASPPHead', in_channels=64, in_index=3, channels=16,
                             dilations=(1, 2, 3, 4), c1_in_channels=8, c1_channels=8, dropout_ratio=0.0,
                             num_classes=3, norm_cfg=norm_cfg, align_corners=False,
                             loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
            train_cfg=dict(), test_cfg=dict(mode='whole')),
        train_dataloader=dict(batch_size=batch_size, num_workers=0,
                              sampler=dict(type='InfiniteSampler', shuffle=True),
                              dataset=dict(ds, ann_file='train.txt', pipeline=train_pipeline)),
        val_dataloader=dict(batch_size=2, num_workers=0, sampler=dict(type='DefaultSampler', shuffle=False),
                            dataset=dict(ds, ann_file='val.txt', pipeline=test_pipeline)),
        test_dataloader=dict(batch_size=2, num_workers=0, sampler=dict(type='DefaultSampler', shuffle=False),
                             dataset=dict(ds, ann_file='val.txt', pipeline=test_pipeline)),
        val_evaluator=dict(type=metric, iou_metrics=['mIoU']),
        test_evaluator=dict(type=metric, iou_metrics=['mIoU']),
        optim_wrapper=dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-3)),
        train_cfg=dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=val_interval),
        val_cfg=dict(type='ValLoop'),
        test_cfg=dict(type='TestLoop'),
        default_hooks=dict(
            timer=dict(type='IterTimerHook'),
            logger=dict(type='LoggerHook', interval=1, log_metric_by_epoch=False),
            param_scheduler=dict(type='ParamSchedulerHook'),
            checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=ckpt_interval),
            sampler_seed=dict(type='DistSamplerSeedHook')),
        env_cfg=dict(cudnn_benchmark=False, mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
                     dist_cfg=dict(backend='nccl')),
        log_processor=dict(by_epoch=False),
        log_level='INFO',
        randomness=dict(seed=0),
    )


def write_config(cfg: dict, path: str) -> str:
    from mmengine.config import Config
    Config(cfg).dump(path)
    return path
