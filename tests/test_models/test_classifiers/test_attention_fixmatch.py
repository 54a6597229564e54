"""Attention-consistency FixMatch: attention maps and their KL on hand-computed inputs (zero for equal maps,
gradient only to the strong view), the model's loss, and a short Runner training."""
import math
import os.path as osp

import pytest
import torch
from mmengine.runner import Runner
from mmpretrain.structures import DataSample

from densessl.models.classifiers import AttentionFixMatch, attention_consistency, attention_map
from densessl.utils import register_all_modules

from .cls_fixtures import REPO, TINY_WIDTH, tiny_classifier, tiny_config

ATT_CFG = osp.join(REPO, 'configs', 'attention_fixmatch',
                   'attention-fixmatch_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py')


@pytest.fixture(autouse=True, scope='module')
def _registry():
    register_all_modules()


def test_attention_map_hand_computed():
    f = torch.zeros(2, 2, 1, 3)
    f[0, 0, 0, 1] = 2.0  # channel mean of squares at position 1: (4 + 0) / 2 = 2
    f[1] = 1.0  # uniform
    a = attention_map(f)
    e2 = math.exp(2)
    assert a.shape == (2, 3)
    assert torch.allclose(a[0], torch.tensor([1 / (e2 + 2), e2 / (e2 + 2), 1 / (e2 + 2)]))
    assert torch.allclose(a[1], torch.full((3, ), 1 / 3))
    assert torch.allclose(attention_map(f, temperature=2.0)[0], torch.softmax(torch.tensor([0., 1., 0.]), 0))
    with pytest.raises(ValueError, match=r'\(N, D, H, W\)'):
        attention_map(torch.zeros(2, 3))
    with pytest.raises(ValueError, match='temperature'):
        attention_map(f, temperature=0)


def test_attention_kl_zero_for_equal_maps_positive_otherwise_and_gradient_only_to_strong():
    f = torch.rand(3, 4, 2, 2, dtype=torch.float64)
    assert attention_consistency(f, f.clone()).abs().item() < 1e-12
    # weak map softmax(0, 1), strong map uniform: KL = sum a_w log(2 a_w)
    weak = torch.tensor([0., 1.], dtype=torch.float64).view(1, 1, 1, 2).requires_grad_(True)
    strong = torch.zeros(1, 1, 1, 2, dtype=torch.float64, requires_grad=True)
    aw = [1 / (1 + math.e), math.e / (1 + math.e)]
    kl = attention_consistency(strong, weak)
    assert kl.item() == pytest.approx(sum(p * math.log(2 * p) for p in aw), rel=1e-10) and kl.item() > 0
    kl.backward()
    assert weak.grad is None  # the weak map is the fixed target
    assert strong.grad is not None
    # at F_s = 0 the squared features have zero derivative: move the strong view off zero to see the gradient
    strong2 = torch.tensor([0.5, 0.3], dtype=torch.float64).view(1, 1, 1, 2).requires_grad_(True)
    attention_consistency(strong2, weak).backward()
    assert strong2.grad.abs().sum() > 0
    assert torch.autograd.gradcheck(lambda s: attention_consistency(s, weak.detach()), (strong2, ))
    with pytest.raises(ValueError, match='differ'):
        attention_consistency(torch.zeros(1, 1, 2, 2), torch.zeros(1, 1, 3, 3))


def _samples(labels):
    return [DataSample(metainfo=dict(sample_idx=i)).set_gt_label(lb) for i, lb in enumerate(labels)]


def test_model_adds_the_attention_term_to_fixmatch():
    torch.manual_seed(0)
    model = AttentionFixMatch(classifier=tiny_classifier(), semi_train_cfg=dict(attention_weight=0.5,
                                                                                threshold=0.0))
    model.train()
    x_sup, weak = torch.randn(2, 3, 16, 16), torch.randn(3, 3, 16, 16)
    strong = weak + 0.5 * torch.randn_like(weak)
    losses = model.loss({'sup': x_sup, 'unsup_teacher': weak, 'unsup_student': strong},
                        {'sup': _samples([1, 2]), 'unsup_teacher': _samples([0, 0, 0])})
    assert {'sup_loss', 'unsup_loss', 'unsup_loss_att', 'unsup_mask_ratio'} <= set(losses)
    outs = model.forward_student_maps(x_sup, weak, strong)
    (_, m_sup), (l_w, m_w), (l_s, m_s) = outs
    assert m_w.shape == (3, TINY_WIDTH, 4, 4) and l_s.shape == (3, 10)
    # same batch, train-mode BN: the second forward gives the same maps
    expected = 0.5 * attention_consistency(m_s, m_w)
    assert losses['unsup_loss_att'].item() == pytest.approx(expected.item(), rel=1e-5)
    assert losses['unsup_loss_att'].item() > 0
    # logits agree with the plain classifier forward (neck + head on the same backbone output)
    model.eval()
    ref = model.student(torch.cat([x_sup, weak, strong]), mode='tensor')
    got = torch.cat([o[0] for o in model.forward_student_maps(x_sup, weak, strong)])
    assert torch.allclose(ref, got, atol=1e-6)
    with pytest.raises(ValueError, match="pseudo_label_from must be 'student'"):
        AttentionFixMatch(classifier=tiny_classifier(), semi_train_cfg=dict(pseudo_label_from='teacher'))


def test_runner_trains_end_to_end(tmp_path):
    cfg = tiny_config(ATT_CFG, str(tmp_path), max_iters=2, batch_size=8)
    runner = Runner.from_cfg(cfg)
    assert type(runner.model) is AttentionFixMatch
    runner.train()
    hist = runner.message_hub.log_scalars
    for key in ('train/sup_loss', 'train/unsup_loss', 'train/unsup_loss_att'):
        assert all(math.isfinite(v) for v in hist[key].data[0]), key
