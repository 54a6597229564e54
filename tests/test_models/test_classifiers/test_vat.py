"""VAT (+EntMin): loss values, BN statistics untouched by the perturbed forwards, and a short Runner training from
the repository's config. (The perturbation itself: tests/test_models/test_ssl/test_perturbation.py.)"""
import copy
import math
import os.path as osp

import pytest
import torch
import torch.nn as nn
from mmengine.runner import Runner

from densessl.models.classifiers import VAT
from densessl.models.ssl import entropy
from densessl.utils import register_all_modules

from .cls_fixtures import REPO, tiny_classifier, tiny_config

VAT_CFG = osp.join(REPO, 'configs', 'vat', 'vat-entmin_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py')


@pytest.fixture(autouse=True, scope='module')
def _registry():
    register_all_modules()


def test_vat_loss_values_and_bn_untouched_by_perturbed_forwards():
    torch.manual_seed(0)
    model = VAT(classifier=tiny_classifier(), semi_train_cfg=dict(eps=2.0, entmin_weight=0.06, unsup_weight=0.3))
    model.train()
    ref = copy.deepcopy(model)
    from mmpretrain.structures import DataSample
    x_sup, x_u = torch.randn(2, 3, 28, 28), torch.randn(6, 3, 28, 28)
    samples = [DataSample().set_gt_label(1), DataSample().set_gt_label(7)]
    torch.manual_seed(5)
    losses = model.loss({'sup': x_sup, 'unsup_teacher': x_u}, {'sup': samples, 'unsup_teacher': None})
    # the reference: the same clean forward, then the same random direction by hand
    logits_sup, logits_u = ref.forward_student(x_sup, x_u)
    assert torch.allclose(losses['sup_loss'], nn.functional.cross_entropy(logits_sup, torch.tensor([1, 7])))
    # USB's form: "lambda_u * unsup_loss * unsup_warmup + lambda_ent * loss_entmin": the entropy weight 0.06 is not
    # multiplied by unsup_weight (0.3) or the ramp
    assert torch.allclose(losses['unsup_loss_entmin'], 0.06 * entropy(logits_u))
    for name, buf in model.student.named_buffers():  # only the clean forward moved the BN statistics
        assert torch.equal(buf, dict(ref.student.named_buffers())[name]), name
    assert losses['unsup_loss'] > 0
    losses['unsup_loss'].backward()
    assert model.student.backbone.conv1.weight.grad.abs().sum() > 0


def test_runner_trains_end_to_end(tmp_path):
    cfg = tiny_config(VAT_CFG, str(tmp_path), max_iters=2, batch_size=8)
    runner = Runner.from_cfg(cfg)
    assert isinstance(runner.model, VAT)
    assert runner.model.semi_train_cfg['entmin_weight'] == 0.06 and runner.model.semi_train_cfg['eps'] == 6.0
    runner.train()
    hist = runner.message_hub.log_scalars
    for key in ('train/sup_loss', 'train/unsup_loss', 'train/unsup_loss_entmin'):
        assert all(math.isfinite(v) for v in hist[key].data[0]), key
    # the VAT term is ramped linearly over 0.4 * 2^20 iterations: tiny at the start but not zero after the first
    # step; the entropy term is not ramped: 0.06 * H with 0 < H <= log(10)
    assert 0 < hist['train/unsup_loss'].data[0][-1] < 1e-3
    assert 1e-3 < hist['train/unsup_loss_entmin'].data[0][-1] <= 0.06 * math.log(10) + 1e-6
