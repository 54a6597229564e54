"""MomentumScheduleHook: cosine teacher weight 0.99 -> 1 and the EMA convention (which number means what)."""
from types import SimpleNamespace

import pytest
import torch
import torch.nn as nn
from mmengine.logging import MessageHub
from mmengine.model import ExponentialMovingAverage
from mmpretrain.models.utils import CosineEMA

from densessl.engine.hooks.momentum_schedule_hook import MomentumScheduleHook, cosine_teacher_weight
from densessl.models.selfsup.base import TargetPretrainMixin


class ToyPretrainer(TargetPretrainMixin, nn.Module):
    """An online layer with two target copies, one of each averaged-model class the models use."""

    def __init__(self):
        super().__init__()
        self.backbone = nn.Linear(2, 2, bias=False)
        self.target_cosine = CosineEMA(self.backbone, momentum=0.01)
        self.target_plain = ExponentialMovingAverage(self.backbone, momentum=0.001)
        self.init_target_pretrain(affine=None, weight_reg=0.)


def test_schedule_values():
    assert cosine_teacher_weight(0, 1000) == pytest.approx(0.99)
    assert cosine_teacher_weight(500, 1000) == pytest.approx(0.995)
    assert cosine_teacher_weight(250, 1000) == pytest.approx(1 - 0.01 * (2 ** -0.5 + 1) / 2)
    assert cosine_teacher_weight(1000, 1000) == pytest.approx(1.0)
    assert cosine_teacher_weight(2000, 1000) == pytest.approx(1.0)  # clamped past the end
    values = [cosine_teacher_weight(k, 100) for k in range(101)]
    assert all(b >= a for a, b in zip(values, values[1:]))


def test_ema_convention_is_pinned():
    """Teacher weight τ = 0.99 (papers) is MMEngine momentum 0.01: target = 0.99 target + 0.01 online."""
    MessageHub.get_current_instance().update_info('max_iters', 100)
    model = ToyPretrainer()
    for ema in model.ema_modules():
        ema.update_parameters(model.backbone)  # step 0 copies the online weights
    with torch.no_grad():
        model.backbone.weight.fill_(1.)
        for ema in model.ema_modules():
            ema.module.weight.fill_(0.)
    model.set_teacher_weight(0.99)
    assert model.target_cosine.momentum == pytest.approx(0.01)
    assert model.target_plain.momentum == pytest.approx(0.01)
    for ema in model.ema_modules():
        ema.update_parameters(model.backbone)
        assert torch.allclose(ema.module.weight, torch.full((2, 2), 0.01))  # 0.99 * 0 + 0.01 * 1
    model.set_teacher_weight(1.0)  # the end of the schedule: the target stops moving
    for ema in model.ema_modules():
        ema.update_parameters(model.backbone)
        assert torch.allclose(ema.module.weight, torch.full((2, 2), 0.01))
    with pytest.raises(ValueError, match='teacher weight'):
        model.set_teacher_weight(1.5)


def fake_runner(model, it, max_iters):
    return SimpleNamespace(model=model, iter=it, max_iters=max_iters, message_hub=MessageHub.get_current_instance())


def test_hook_sets_start_middle_end():
    model = ToyPretrainer()
    hook = MomentumScheduleHook()  # defaults: 0.99 -> 1
    hook.before_train(fake_runner(model, 0, 200))
    for it, tau in ((0, 0.99), (100, 0.995), (200, 1.0)):
        runner = fake_runner(model, it, 200)
        hook.before_train_iter(runner, it)
        assert model.target_plain.momentum == pytest.approx(1 - tau)
        assert model.target_cosine.momentum == pytest.approx(1 - tau)
        assert model.target_cosine.end_momentum == pytest.approx(1 - tau)
        assert runner.message_hub.get_scalar('train/teacher_weight').current() == pytest.approx(tau)


def test_hook_arguments_and_model_check():
    with pytest.raises(ValueError, match='teacher weight'):
        MomentumScheduleHook(start=99)
    with pytest.raises(TypeError, match='set_teacher_weight'):
        MomentumScheduleHook().before_train(fake_runner(nn.Linear(2, 2), 0, 10))
