"""Attention-consistency FixMatch (seed 004): the attention module (two 1x1 convolutions with BN and ReLU whose maps
are summed), bilinear pooling with the map, the KL term restricted to confident samples (hand-computed), and a
short Runner training."""
import math
import os.path as osp

import pytest
import torch
from mmengine.runner import Runner
from mmpretrain.structures import DataSample

from densessl.models.classifiers import (AttentionBiPooling, AttentionFixMatch, attention_consistency,
                                         attention_distribution)
from densessl.models.ssl import kl_divergence
from densessl.utils import register_all_modules

from .cls_fixtures import REPO, TINY_WIDTH, tiny_classifier, tiny_config

ATT_CFG = osp.join(REPO, 'configs', 'attention_fixmatch',
                   'attention-fixmatch_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py')


@pytest.fixture(autouse=True, scope='module')
def _registry():
    register_all_modules()


def _classifier():
    cfg = tiny_classifier()
    cfg['neck'] = dict(type='AttentionBiPooling', in_channels=TINY_WIDTH)
    return cfg


def test_attention_module_is_two_summed_conv_bn_relu_maps_and_pools_with_them():
    """Seed 004: "two 1x1 convolutions with BN and ReLU giving two maps that are summed", features bi-pooled with
    the map."""
    torch.manual_seed(0)
    neck = AttentionBiPooling(3)
    assert len(neck.branches) == 2
    for branch in neck.branches:
        conv, bn, relu = branch
        assert isinstance(conv, torch.nn.Conv2d) and conv.kernel_size == (1, 1) and conv.out_channels == 1
        assert isinstance(bn, torch.nn.BatchNorm2d) and isinstance(relu, torch.nn.ReLU)
    neck.eval()  # BN with its initial statistics (mean 0, var 1): the identity up to eps
    f = torch.randn(2, 3, 2, 2)
    w_a, w_b = (b[0].weight.view(3) for b in neck.branches)
    eps = neck.branches[0][1].eps
    by_hand = sum(torch.relu(torch.einsum('c,nchw->nhw', w, f) / math.sqrt(1 + eps)) for w in (w_a, w_b))
    attn = neck.attention(f)
    assert attn.shape == (2, 1, 2, 2) and torch.allclose(attn[:, 0], by_hand, atol=1e-6)
    pooled, = neck((f, ))
    assert torch.allclose(pooled, (f * by_hand[:, None]).mean(dim=(2, 3)), atol=1e-6)
    with pytest.raises(ValueError, match=r'\(N, D, H, W\)'):
        neck.attention(torch.zeros(2, 3))


def test_kl_counts_only_confident_samples():
    """ "the KL term applied only to samples whose confidence passes the threshold" """
    weak = torch.tensor([[0., 1.], [1., 1.]], dtype=torch.float64).view(2, 1, 1, 2)
    strong = torch.zeros(2, 1, 1, 2, dtype=torch.float64, requires_grad=True)
    # sample 0: target softmax(0, 1) vs uniform -> sum p log(2 p); sample 1: uniform vs uniform -> 0
    p = [1 / (1 + math.e), math.e / (1 + math.e)]
    kl0 = sum(q * math.log(2 * q) for q in p)
    assert attention_consistency(strong, weak).item() == pytest.approx(kl0 / 2)
    assert attention_consistency(strong, weak, mask=torch.tensor([True, False])).item() == pytest.approx(kl0 / 2)
    assert attention_consistency(strong, weak, mask=torch.tensor([False, True])).item() == pytest.approx(0.0)
    loss = attention_consistency(strong, weak.requires_grad_(True), mask=torch.tensor([False, True]))
    loss.backward()
    assert weak.grad is None and strong.grad is not None
    assert torch.autograd.gradcheck(lambda s: attention_consistency(s, weak.detach(), torch.tensor([True, True])),
                                    (torch.rand(2, 1, 1, 2, dtype=torch.float64, requires_grad=True), ))
    assert torch.allclose(attention_distribution(weak[:1]), torch.tensor([p], dtype=torch.float64))
    with pytest.raises(ValueError, match='differ'):
        attention_consistency(torch.zeros(1, 1, 2, 2), torch.zeros(1, 1, 3, 3))


def _samples(labels):
    return [DataSample(metainfo=dict(sample_idx=i)).set_gt_label(lb) for i, lb in enumerate(labels)]


def test_model_loss_masks_the_attention_term_with_fixmatchs_threshold():
    torch.manual_seed(0)
    x_sup, weak = torch.randn(2, 3, 16, 16), torch.randn(4, 3, 16, 16)
    strong = weak + 0.5 * torch.randn_like(weak)
    inputs = {'sup': x_sup, 'unsup_teacher': weak, 'unsup_student': strong}
    samples = {'sup': _samples([1, 2]), 'unsup_teacher': _samples([0] * 4)}
    torch.manual_seed(0)
    probe = AttentionFixMatch(classifier=_classifier(), semi_train_cfg=dict(threshold=0.0))
    probe.train()
    conf = torch.softmax(probe.forward_student_maps(x_sup, weak, strong)[1][0], dim=1).max(1).values.sort().values
    between = float((conf[1] + conf[2]).detach()) / 2  # two of four pass
    for threshold in (0.0, between, 1.0):
        torch.manual_seed(0)
        model = AttentionFixMatch(classifier=_classifier(), semi_train_cfg=dict(attention_weight=0.5,
                                                                                threshold=threshold))
        model.train()
        losses = model.loss(inputs, samples)
        (_, _), (l_w, a_w), (_, a_s) = model.forward_student_maps(x_sup, weak, strong)
        conf = torch.softmax(l_w, dim=1).max(1).values
        mask = conf >= threshold
        per_sample = kl_divergence(a_s.flatten(1), attention_distribution(a_w), reduction='none')
        expected = 0.5 * (per_sample * mask).sum() / 4
        assert losses['unsup_loss_att'].item() == pytest.approx(expected.item(), rel=1e-5, abs=1e-9), threshold
        assert losses['unsup_mask_ratio'].item() == pytest.approx(mask.float().mean().item())
        if threshold == 0.0:
            assert losses['unsup_loss_att'].item() > 0
        if threshold == between:
            assert int(mask.sum()) == 2 and 0 < losses['unsup_loss_att'].item() < 0.5 * per_sample.sum() / 4
        if threshold == 1.0:
            assert losses['unsup_loss_att'].item() == 0
    # the logits are the classifier's own forward (attention pooling in the neck), so the EMA model predicts alike
    model.eval()
    ref = model.student(torch.cat([x_sup, weak, strong]), mode='tensor')
    got = torch.cat([o[0] for o in model.forward_student_maps(x_sup, weak, strong)])
    assert torch.allclose(ref, got, atol=1e-6)
    with pytest.raises(ValueError, match="pseudo_label_from must be 'student'"):
        AttentionFixMatch(classifier=_classifier(), semi_train_cfg=dict(pseudo_label_from='teacher'))
    with pytest.raises(ValueError, match='AttentionBiPooling'):
        AttentionFixMatch(classifier=tiny_classifier())


def test_runner_trains_end_to_end(tmp_path):
    cfg = tiny_config(ATT_CFG, str(tmp_path), max_iters=2, batch_size=8)
    assert cfg.model.classifier.neck.type == 'AttentionBiPooling' and cfg.model.classifier.neck.in_channels == 512
    cfg.model.classifier.neck.in_channels = TINY_WIDTH
    runner = Runner.from_cfg(cfg)
    assert type(runner.model) is AttentionFixMatch
    runner.train()
    hist = runner.message_hub.log_scalars
    for key in ('train/sup_loss', 'train/unsup_loss', 'train/unsup_loss_att'):
        assert all(math.isfinite(v) for v in hist[key].data[0]), key
