"""Tiny classification configs for tests: the repository's real configs with a 2-stage ResNet of width 8, a few
real Fashion-MNIST images (a 20-label / 40-unlabeled split written to a temporary folder) and no workers."""
import copy
import os.path as osp
from typing import Optional

import torch
from mmengine.config import Config

from densessl.datasets.cls_datasets import prepare_fashion_mnist
from densessl.datasets.splits import write_index_split

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
FMNIST_ROOT = osp.join(REPO, 'data', 'fashion_mnist')
FIXMATCH_CFG = osp.join(REPO, 'configs', 'fixmatch', 'fixmatch_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py')

TINY_BACKBONE = dict(type='mmpretrain.ResNet_CIFAR', depth=18, num_stages=2, strides=(2, 2), dilations=(1, 1),
                     stem_channels=8, base_channels=8, out_indices=(1, ), style='pytorch')
TINY_WIDTH = 16  # channels of the last stage of TINY_BACKBONE



def tiny_classifier(num_classes: int = 10) -> dict:
    """A small mmpretrain ImageClassifier config (Fashion-MNIST statistics, 3 channels)."""
    pre = dict(type='mmpretrain.ClsDataPreprocessor', mean=[72.94] * 3, std=[90.02] * 3, to_rgb=False)
    return dict(
        type='mmpretrain.ImageClassifier',
        backbone=copy.deepcopy(TINY_BACKBONE),
        neck=dict(type='mmpretrain.GlobalAveragePooling'),
        head=dict(type='mmpretrain.LinearClsHead', num_classes=num_classes, in_channels=TINY_WIDTH,
                  loss=dict(type='mmpretrain.CrossEntropyLoss')),
        data_preprocessor=pre)


def write_tiny_split(folder: str) -> str:
    """A split of real Fashion-MNIST training indices (the labeled ones balanced over the 10 classes)."""
    from densessl.datasets.cls_datasets import SemiFashionMNIST
    prepare_fashion_mnist(FMNIST_ROOT)
    labels = [int(d['gt_label']) for d in SemiFashionMNIST(data_root=FMNIST_ROOT, lazy_init=True).load_data_list()[:200]]
    per_class = {c: [i for i in range(200) if labels[i] == c][:2] for c in range(10)}
    labeled = sorted(i for v in per_class.values() for i in v)
    unlabeled = [i for i in range(200) if i not in labeled][:40]
    write_index_split(folder, labeled, unlabeled)
    return folder


def tiny_config(cfg_path: str, work_dir: str, max_iters: int = 3, batch_size: int = 8,
                val_interval: Optional[int] = None) -> Config:
    """``cfg_path`` shrunk to run in seconds on CPU: tiny backbone, tiny split, 64 test images, no workers."""
    cfg = Config.fromfile(cfg_path)
    split = write_tiny_split(osp.join(work_dir, 'split'))
    cfg.work_dir = work_dir
    cfg.launcher = 'none'
    head_in = TINY_WIDTH
    if 'classifier' in cfg.model:
        cfg.model.classifier.backbone = copy.deepcopy(TINY_BACKBONE)
        cfg.model.classifier.head.in_channels = head_in
    else:  # self-supervised models (RotNet) hold the backbone directly
        cfg.model.backbone = copy.deepcopy(TINY_BACKBONE)
        if 'head' in cfg.model:
            cfg.model.head.in_channels = head_in
    loader = cfg.train_dataloader
    loader.num_workers = 0
    loader.persistent_workers = False
    loader.batch_size = batch_size
    if loader.sampler.get('type') == 'MultiSourceSampler':
        loader.sampler.batch_size = batch_size
    datasets = loader.dataset.datasets if loader.dataset.type == 'ConcatDataset' else [loader.dataset]
    for ds in datasets:
        ds.data_root = FMNIST_ROOT
        if ds.get('split_file'):
            name = osp.basename(ds.split_file)
            ds.split_file = osp.join(split, name)
    for key in ('val_dataloader', 'test_dataloader'):
        if cfg.get(key) is None:
            continue
        cfg[key].num_workers = 0
        cfg[key].persistent_workers = False
        cfg[key].batch_size = 32
        cfg[key].dataset.data_root = FMNIST_ROOT
        cfg[key].dataset.indices = 64
    cfg.train_cfg.max_iters = max_iters
    cfg.train_cfg.val_interval = val_interval or max_iters
    cfg.param_scheduler = [dict(type='ConstantLR', factor=1.0, by_epoch=False)]
    cfg.default_hooks.logger.interval = 1
    # checkpoints format the whole config with yapf (seconds each): only where a test asks for them
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', by_epoch=False, interval=10**6, save_last=False)
    cfg.log_level = 'WARNING'
    cfg.randomness = dict(seed=0)
    return cfg


def state_copy(module: torch.nn.Module) -> dict:
    return {k: v.detach().clone() for k, v in module.state_dict().items()}
