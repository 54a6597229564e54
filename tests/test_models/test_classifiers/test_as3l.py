"""AS3L classifier: the prior is fused as normalise(prior + p) and dropped after T; prior file checks; a short Runner
training. (The selection and propagation that write the prior: tests/test_selection/test_as3l.py.)"""
import math
import os.path as osp

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.runner import Runner
from mmpretrain.structures import DataSample

from densessl.models.classifiers import AS3L, load_prior
from densessl.utils import register_all_modules

from .cls_fixtures import REPO, tiny_classifier, tiny_config

AS3L_CFG = osp.join(REPO, 'configs', 'as3l', 'as3l_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py')


@pytest.fixture(autouse=True, scope='module')
def _registry():
    register_all_modules()


def _samples(idx):
    return [DataSample(metainfo=dict(sample_idx=i)) for i in idx]


def _as3l(prior_iters=1):
    prior = torch.zeros(4, 3)
    prior[0] = torch.tensor([1., 0., 0.])
    prior[3] = torch.tensor([0., 0., 2.])
    return AS3L(classifier=tiny_classifier(num_classes=3), prior=prior,
                semi_train_cfg=dict(confidence=dict(_delete_=True, type='ConfidenceMask', threshold=0.0),
                                    prior_iters=prior_iters))


def test_prior_fusion_hand_computed_and_dropped_after_T():
    model = _as3l(prior_iters=1)
    weak = torch.tensor([[0., 0., 0.], [math.log(2.), 0., 0.]])  # p = (1/3, 1/3, 1/3) and (1/2, 1/4, 1/4)
    samples = _samples([0, 3])
    prior = model.batch_prior(samples)
    pl = model.pseudo_labeler(weak, prior=prior)
    # normalise(prior + p): (4/3, 1/3, 1/3) / 2 and (1/2, 1/4, 9/4) / 3
    assert torch.allclose(pl.probs, torch.tensor([[1., 0., 0.], [0., 0., 1.]]))  # hard targets
    assert pl.labels.tolist() == [0, 2]
    assert torch.allclose(pl.confidence, torch.tensor([2 / 3, 3 / 4]))
    strong = torch.tensor([[2., 0., 0.], [0., 0., 2.]], requires_grad=True)
    ce_right = math.log(1 + 2 * math.exp(-2))  # CE of logits (2, 0, 0) on its large class
    ce_wrong = math.log(math.exp(2) + 2)  # ... on a small class
    on = model.loss_unsup(weak, strong, samples)
    assert on['unsup_prior_on'].item() == 1
    assert on['unsup_loss'].item() == pytest.approx(ce_right, rel=1e-5)  # labels 0 and 2
    assert model.pseudo_labeler.prior is None  # the batch prior does not stay behind
    on['unsup_loss'].backward()
    assert strong.grad.abs().sum() > 0
    model.ssl_iter.fill_(1)  # iteration T: prior dropped, labels from the weak prediction alone (0 and 0)
    assert model.batch_prior(samples) is None
    off = model.loss_unsup(weak, strong, samples)
    assert off['unsup_prior_on'].item() == 0
    assert off['unsup_loss'].item() == pytest.approx((ce_right + ce_wrong) / 2, rel=1e-5)


def test_prior_checks(tmp_path):
    flex = dict(confidence=dict(num_samples=4))
    with pytest.raises(ValueError, match='prior_file'):
        AS3L(classifier=tiny_classifier(num_classes=3), semi_train_cfg=flex)
    with pytest.raises(ValueError, match=r'expected \(4, 3\)'):
        AS3L(classifier=tiny_classifier(num_classes=3), prior=torch.zeros(4, 5), semi_train_cfg=flex)
    with pytest.raises(ValueError, match=r'expected \(4, 3\)'):
        AS3L(classifier=tiny_classifier(num_classes=3), prior=torch.zeros(5, 3), semi_train_cfg=flex)
    with pytest.raises(ValueError, match='non-negative'):
        AS3L(classifier=tiny_classifier(num_classes=3), prior=-torch.ones(4, 3), semi_train_cfg=flex)
    with pytest.raises(ValueError, match='sample_idx'):
        _as3l().loss_unsup(torch.zeros(1, 3), torch.zeros(1, 3), [DataSample()])
    with pytest.raises(FileNotFoundError, match='as3l_select'):
        load_prior(str(tmp_path / 'nope.npy'))
    path = str(tmp_path / 'prior.npy')
    np.save(path, np.eye(3, dtype=np.float32))
    assert torch.equal(load_prior(path), torch.eye(3))


def test_runner_trains_end_to_end(tmp_path):
    cfg = tiny_config(AS3L_CFG, str(tmp_path), max_iters=3, batch_size=8)
    prior = F.one_hot(torch.arange(40) % 10, 10).float().numpy()
    np.save(str(tmp_path / 'prior.npy'), prior)
    cfg.model.semi_train_cfg.prior_file = str(tmp_path / 'prior.npy')
    cfg.model.semi_train_cfg.confidence.num_samples = 40
    cfg.model.semi_train_cfg.prior_iters = 2
    runner = Runner.from_cfg(cfg)
    assert type(runner.model) is AS3L and runner.model.prior.shape == (40, 10)
    runner.train()
    hist = runner.message_hub.log_scalars
    assert hist['train/unsup_prior_on'].data[0].tolist() == [1, 1, 0]
    for key in ('train/sup_loss', 'train/unsup_loss'):
        assert all(math.isfinite(v) for v in hist[key].data[0]), key
