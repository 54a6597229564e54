"""tools/as3l_select.py on 200 real Fashion-MNIST images with a tiny backbone: the split files and the prior are
written, consistent with each other, and the same seed gives the same selection."""
import json
import os.path as osp
import sys

import numpy as np
import torch
from mmengine.config import Config

from densessl.datasets.cls_datasets import prepare_fashion_mnist
from densessl.datasets.splits import read_index_file
from tests.test_models.test_classifiers.cls_fixtures import FMNIST_ROOT, REPO, TINY_BACKBONE

sys.path.insert(0, osp.join(REPO, 'tools'))
import as3l_select  # noqa: E402

ROTNET_CFG = osp.join(REPO, 'configs', 'rotnet', 'rotnet_resnet18-cifar_1xb128-sgd-cos-50k_fmnist.py')


def _setup(tmp_path):
    from densessl.registry import MODELS
    from densessl.utils import register_all_modules
    register_all_modules()
    prepare_fashion_mnist(FMNIST_ROOT)
    cfg = Config.fromfile(ROTNET_CFG)
    cfg.model.backbone = dict(TINY_BACKBONE)
    cfg.train_dataloader.dataset.data_root = FMNIST_ROOT
    cfg_path = str(tmp_path / 'pretrain.py')
    cfg.dump(cfg_path)
    torch.manual_seed(0)
    backbone = MODELS.build(dict(TINY_BACKBONE))
    ckpt = str(tmp_path / 'ckpt.pth')
    torch.save(dict(state_dict={'backbone.' + k: v for k, v in backbone.state_dict().items()}), ckpt)
    return cfg_path, ckpt


def test_as3l_select_writes_split_and_prior(tmp_path):
    cfg_path, ckpt = _setup(tmp_path)
    outs = []
    for run in ('a', 'b'):
        out_dir = str(tmp_path / run)
        summary = as3l_select.main([cfg_path, ckpt, '--budget', '10', '--out-dir', out_dir, '--limit', '200',
                                    '--ks', '10', '20', '--runs', '3', '--batch-size', '100'])
        labeled = read_index_file(osp.join(out_dir, 'labeled.txt'))
        unlabeled = read_index_file(osp.join(out_dir, 'unlabeled.txt'))
        prior = np.load(osp.join(out_dir, 'prior.npy'))
        assert len(labeled) == summary['num_labeled'] <= 10 and len(labeled) >= 5
        assert sorted(labeled + unlabeled) == list(range(200))
        # rows sum to the share of the clusterings that labeled the sample (AS3L: unlabeled clusters propagate none)
        assert prior.shape == (len(unlabeled), 10) and (prior.sum(1) <= 1 + 1e-6).all() and prior.sum() > 0
        assert summary['ks'] == [10, 20] and summary['finetune'] and 0 < summary['prior_coverage'] <= 1
        assert json.load(open(osp.join(out_dir, 'as3l_summary.json')))['num_samples'] == 200
        assert 0.0 <= summary['prior_accuracy'] <= 1.0
        outs.append((labeled, prior))
    assert outs[0][0] == outs[1][0] and np.array_equal(outs[0][1], outs[1][1])  # seeded: identical
