"""tools/misc/tsne.py: exact t-SNE separates blobs; the CLI writes the plot and the embedding of a model's
features and reports their clustering accuracy."""
import os.path as osp
import sys

import numpy as np
import pytest
import torch

from densessl.evaluation.clustering import feature_clustering_accuracy
from densessl.utils import register_all_modules

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tools', 'misc'))
import tsne as tsne_tool  # noqa: E402

sys.path.pop(0)


def test_tsne_keeps_separated_blobs_apart():
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(3), 30)
    centres = rng.normal(scale=10, size=(3, 10))
    x = centres[labels] + rng.normal(size=(90, 10))
    emb = tsne_tool.tsne(x, perplexity=15, iters=300, seed=0)
    assert emb.shape == (90, 2) and np.isfinite(emb).all()
    assert feature_clustering_accuracy(torch.tensor(emb), labels, normalize=False) == 1.0
    # neighbours in the embedding are neighbours in the input: each point's nearest embedded point shares its blob
    d = ((emb[:, None] - emb[None]) ** 2).sum(-1) + np.eye(90) * 1e9
    assert (labels[d.argmin(1)] == labels).all()
    with pytest.raises(ValueError, match='at least 4'):
        tsne_tool.tsne(x[:3])


def test_cli_on_a_checkpoint(tmp_path):
    register_all_modules()
    from mmengine.runner import Runner
    from tests.test_models.test_classifiers.cls_fixtures import FIXMATCH_CFG, tiny_config
    cfg = tiny_config(FIXMATCH_CFG, str(tmp_path), max_iters=1)
    runner = Runner.from_cfg(cfg)
    runner.model.init_weights()
    ckpt = str(tmp_path / 'model.pth')
    torch.save({'state_dict': runner.model.state_dict()}, ckpt)
    cfg_file = str(tmp_path / 'cfg.py')
    cfg.dump(cfg_file)
    out = str(tmp_path / 'plots' / 'tsne.png')
    res = tsne_tool.main([cfg_file, ckpt, '--num', '40', '--iters', '100', '--out', out, '--predict-on', 'student'])
    assert osp.getsize(out) > 1000
    saved = np.load(osp.splitext(out)[0] + '.npz')
    assert saved['embedding'].shape == (40, 2) and saved['features'].shape == (40, 16)
    assert 0.0 <= res['clustering_accuracy'] <= 1.0
    assert (saved['labels'] == res['labels']).all() and len(set(saved['labels'].tolist())) > 3
