"""MeanTeacherHook: the momentum convention (student share vs teacher weight), EMA numerics, buffers, Runner use."""
import copy

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from densessl.engine.hooks.mean_teacher_hook import MeanTeacherHook, ema_update
from densessl.registry import HOOKS
from densessl.utils import register_all_modules
from tests.test_models.test_segmentors.semi_fixtures import tiny_semi_config, write_tiny_semi_data


class _Pair(nn.Module):
    def __init__(self):
        super().__init__()
        self.student = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
        self.teacher = copy.deepcopy(self.student)


def _filled(pair, student_value, teacher_value):
    with torch.no_grad():
        for p in pair.student.parameters():
            p.fill_(student_value)
        for p in pair.teacher.parameters():
            p.fill_(teacher_value)
    return pair


class _FakeRunner:
    def __init__(self, model, it=0):
        self.model, self.iter = model, it


@pytest.mark.parametrize('kwargs', [dict(momentum=0.001), dict(teacher_momentum=0.999), dict()])
def test_convention_student_share_and_teacher_weight_are_the_same_update(kwargs):
    hook = MeanTeacherHook(**kwargs)
    assert hook.momentum == pytest.approx(0.001) and hook.teacher_momentum == pytest.approx(0.999)
    pair = _filled(_Pair(), 1.0, 0.0)
    hook.after_train_iter(_FakeRunner(pair), 0)
    # teacher = 0.999 * 0 + 0.001 * 1
    assert all(torch.allclose(p, torch.full_like(p, 0.001)) for p in pair.teacher.parameters())
    hook.after_train_iter(_FakeRunner(pair, 1), 1)
    expected = 1 - 0.999**2
    assert all(torch.allclose(p, torch.full_like(p, expected)) for p in pair.teacher.parameters())


def test_papers_099_is_teacher_momentum():
    pair = _filled(_Pair(), 1.0, 0.0)
    MeanTeacherHook(teacher_momentum=0.99).after_train_iter(_FakeRunner(pair), 0)
    assert all(torch.allclose(p, torch.full_like(p, 0.01)) for p in pair.teacher.parameters())
    with pytest.warns(UserWarning, match='teacher_momentum=0.99'):
        hook = MeanTeacherHook(momentum=0.99)  # almost certainly meant as the teacher's weight
    assert hook.momentum == 0.99


def test_argument_errors():
    with pytest.raises(ValueError, match='not both'):
        MeanTeacherHook(momentum=0.001, teacher_momentum=0.999)
    for bad in (dict(momentum=0.0), dict(momentum=1.0), dict(teacher_momentum=1.0), dict(teacher_momentum=-0.1)):
        with pytest.raises(ValueError, match='momentum'):
            MeanTeacherHook(**bad)
    with pytest.raises(ValueError, match='interval'):
        MeanTeacherHook(interval=0)
    with pytest.raises(ValueError, match='buffers'):
        MeanTeacherHook(buffers='average')
    with pytest.raises(AttributeError, match='teacher'):
        MeanTeacherHook().before_train(_FakeRunner(nn.Linear(1, 1)))


def test_buffers_ema_copy_skip():
    for mode, mean, count in (('ema', 0.5, 3), ('copy', 1.0, 3), ('skip', 0.0, 0)):
        pair = _Pair()
        pair.student[1].running_mean.fill_(1.0)
        pair.student[1].num_batches_tracked.fill_(3)
        pair.teacher[1].running_mean.fill_(0.0)
        ema_update(pair.teacher, pair.student, 0.5, buffers=mode)
        assert torch.allclose(pair.teacher[1].running_mean, torch.full((2, ), mean)), mode
        assert pair.teacher[1].num_batches_tracked.item() == count, mode
    assert MeanTeacherHook(skip_buffer=True).buffers == 'skip'  # mmdet's spelling


def test_interval_and_warmup():
    pair = _filled(_Pair(), 1.0, 0.0)
    hook = MeanTeacherHook(momentum=0.5, interval=2)
    hook.after_train_iter(_FakeRunner(pair, 0), 0)  # iteration 1: no update
    assert all((p == 0).all() for p in pair.teacher.parameters())
    hook.after_train_iter(_FakeRunner(pair, 1), 1)  # iteration 2: update
    assert all(torch.allclose(p, torch.full_like(p, 0.5)) for p in pair.teacher.parameters())
    warm = MeanTeacherHook(teacher_momentum=0.9, warmup=True)
    assert [warm.student_share(k) for k in (1, 2, 4, 10, 100)] == pytest.approx([1.0, 0.5, 0.25, 0.1, 0.1])


def test_fresh_run_copies_student_resumed_run_keeps_teacher():
    pair = _filled(_Pair(), 1.0, 0.0)
    MeanTeacherHook().before_train(_FakeRunner(pair, it=5))
    assert all((p == 0).all() for p in pair.teacher.parameters())
    MeanTeacherHook().before_train(_FakeRunner(pair, it=0))
    assert all((p == 1).all() for p in pair.teacher.parameters())


@HOOKS.register_module(force=True)
class RecordWeightsHook(Hook):
    """Record student and teacher weights after the EMA hook ran (lowest priority)."""
    priority = 'LOWEST'

    def __init__(self):
        self.records = []

    def _record(self, runner):
        model = runner.model
        self.records.append((copy.deepcopy(model.student.state_dict()), copy.deepcopy(model.teacher.state_dict())))

    def before_train(self, runner):
        self._record(runner)

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        self._record(runner)


def test_runner_teacher_is_the_ema_of_the_student_trajectory(tmp_path):
    register_all_modules()
    root = write_tiny_semi_data(str(tmp_path / 'data'))
    # teacher BN statistics from the EMA of the student's (the default 'self' is the next test)
    cfg = tiny_semi_config(root, max_iters=3, val_interval=100, ckpt_interval=100,
                           semi_train_cfg=dict(teacher_bn_stats='ema'))
    cfg['custom_hooks'] = [dict(type='MeanTeacherHook', teacher_momentum=0.9), dict(type='RecordWeightsHook')]
    runner = Runner.from_cfg(Config(dict(cfg, work_dir=str(tmp_path / 'work'), experiment_name='ema')))
    runner.train()
    (recorder, ) = [h for h in runner.hooks if isinstance(h, RecordWeightsHook)]
    records = recorder.records
    assert len(records) == 4  # before training + 3 iterations
    student0, teacher0 = records[0]
    for k in student0:  # the teacher starts as a copy of the student
        assert torch.equal(student0[k], teacher0[k])
    for (_, t_prev), (s_now, t_now) in zip(records[:-1], records[1:]):
        for k, v in t_now.items():
            if v.dtype.is_floating_point:
                assert torch.allclose(v, 0.9 * t_prev[k] + 0.1 * s_now[k], atol=1e-6), k
    # the student moved, so the check above is not vacuous
    assert not torch.equal(records[0][0]['decode_head.conv_seg.weight'], records[-1][0]['decode_head.conv_seg.weight'])


def test_runner_teacher_keeps_statistics_of_its_own_weights_by_default(tmp_path):
    """Default teacher_bn_stats='self': the parameters are the EMA of the student's, the BN statistics come from the
    teacher's own passes on the weak views (not from the EMA, which MeanTeacherHook(buffers='auto') then skips)."""
    register_all_modules()
    root = write_tiny_semi_data(str(tmp_path / 'data'))
    cfg = tiny_semi_config(root, max_iters=3, val_interval=100, ckpt_interval=100)
    cfg['custom_hooks'] = [dict(type='MeanTeacherHook', teacher_momentum=0.9), dict(type='RecordWeightsHook')]
    runner = Runner.from_cfg(Config(dict(cfg, work_dir=str(tmp_path / 'work'), experiment_name='ema_self')))
    runner.train()
    (recorder, ) = [h for h in runner.hooks if isinstance(h, RecordWeightsHook)]
    records = recorder.records
    for (_, t_prev), (s_now, t_now) in zip(records[:-1], records[1:]):
        for k, v in t_now.items():
            if not v.dtype.is_floating_point:
                continue
            ema = 0.9 * t_prev[k] + 0.1 * s_now[k]
            if 'running_' in k:
                assert not torch.allclose(v, ema, atol=1e-6), k  # the teacher's own estimate
                assert not torch.equal(v, t_prev[k]), k  # ... updated by its pass of this step
            else:
                assert torch.allclose(v, ema, atol=1e-6), k
