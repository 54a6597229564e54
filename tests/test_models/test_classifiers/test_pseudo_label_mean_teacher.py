"""Pseudo-Label and Mean Teacher: losses on hand-made logits (thresholds, ramps) and short Runner trainings from
the repository's configs."""
import math
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from mmengine.runner import Runner
from mmpretrain.structures import DataSample

from densessl.models.classifiers import MeanTeacher, PseudoLabel, ramp_weight
from densessl.utils import register_all_modules

from .cls_fixtures import REPO, state_copy, tiny_classifier, tiny_config

PL_CFG = osp.join(REPO, 'configs', 'pseudo_label', 'pseudo_label_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py')
MT_CFG = osp.join(REPO, 'configs', 'mean_teacher', 'mean_teacher_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py')


@pytest.fixture(autouse=True, scope='module')
def _registry():
    register_all_modules()


def test_ramps():
    assert ramp_weight(0, 100) == 0.0 and ramp_weight(50, 100) == 0.5 and ramp_weight(500, 100) == 1.0
    assert ramp_weight(50, 100, 'sigmoid') == pytest.approx(math.exp(-5 * 0.25))
    assert ramp_weight(100, 100, 'sigmoid') == 1.0
    with pytest.raises(ValueError, match='rampup'):
        ramp_weight(1, 10, 'cosine')


def test_pseudo_label_loss_on_its_own_predictions():
    model = PseudoLabel(classifier=tiny_classifier(num_classes=3),
                        semi_train_cfg=dict(threshold=0.9, rampup_iters=10, unsup_weight=2.0))
    sup = torch.tensor([[0., 1., 0.]], requires_grad=True)
    unl = torch.tensor([[0., 0., 4.], [1., 0., 0.], [0., 5., 0.]], requires_grad=True)  # conf .964 .576 .987
    model.forward_student = lambda *xs: [sup, unl]
    model.ssl_iter.fill_(4)  # ramp 4 / 10
    x = torch.zeros(1, 3, 8, 8)
    losses = model.loss({'sup': x, 'unsup_teacher': x}, {'sup': [DataSample().set_gt_label(1)],
                                                          'unsup_teacher': None})
    ce = F.cross_entropy(unl, torch.tensor([2, 0, 1]), reduction='none')
    expected = 2.0 * 0.4 * (ce[0] + ce[2]) / 3
    assert losses['unsup_loss'].item() == pytest.approx(expected.item(), rel=1e-6)
    assert losses['unsup_mask_ratio'].item() == pytest.approx(2 / 3)
    assert losses['sup_loss'].item() == pytest.approx(F.cross_entropy(sup, torch.tensor([1])).item())
    assert int(model.ssl_iter) == 5


def test_mean_teacher_loss_is_softmax_mse_to_the_teacher():
    model = MeanTeacher(classifier=tiny_classifier(num_classes=3), semi_train_cfg=dict(rampup_iters=0))
    sup = torch.zeros(1, 3)
    stu = torch.tensor([[2., 0., 0.], [0., 0., 0.]], requires_grad=True)
    tea = torch.tensor([[0., 2., 0.], [0., 0., 1.]])
    model.forward_student = lambda *xs: [sup, stu]
    model.teacher_logits = lambda x: tea
    x = torch.zeros(2, 3, 8, 8)
    losses = model.loss({'sup': x[:1], 'unsup_teacher': x, 'unsup_student': x},
                        {'sup': [DataSample().set_gt_label(0)], 'unsup_teacher': None})
    expected = 5.0 * (stu.softmax(1) - tea.softmax(1)).pow(2).sum(1).mean()
    assert losses['unsup_loss'].item() == pytest.approx(expected.item(), rel=1e-6)
    losses['unsup_loss'].backward()
    assert stu.grad.abs().sum() > 0
    with pytest.raises(ValueError, match='soft targets'):
        MeanTeacher(classifier=tiny_classifier(), semi_train_cfg=dict(pseudo_label=dict(mode='hard')))


@pytest.mark.parametrize('cfg_path,cls', [(PL_CFG, PseudoLabel), (MT_CFG, MeanTeacher)])
def test_runner_trains_end_to_end(tmp_path, cfg_path, cls):
    cfg = tiny_config(cfg_path, str(tmp_path), max_iters=2, batch_size=8)
    runner = Runner.from_cfg(cfg)
    model = runner.model
    assert type(model) is cls
    model.init_weights()
    s0 = state_copy(model.student)
    runner.train()
    hist = runner.message_hub.log_scalars
    for key in ('train/sup_loss', 'train/unsup_loss'):
        assert all(math.isfinite(v) for v in hist[key].data[0]), key
    w = 'backbone.conv1.weight'
    t, s = model.teacher.state_dict()[w], model.student.state_dict()[w]
    if cls is MeanTeacher:
        # warm-up EMA: student share max(0.001, 1/k) -> after update 1 the teacher equals the student of step 1,
        # after update 2 it is the mean of the students of steps 1 and 2: strictly between s0 and s
        assert not torch.equal(t, s0[w]) and not torch.equal(t, s)
        assert (t - s).norm() < (s0[w] - s).norm()
    else:
        assert (t - s0[w]).norm() < 0.01 * (s - s0[w]).norm()
