"""CutMix / ClassMix segmentors trained by MMEngine's Runner on tiny fixtures (CPU, seconds)."""
import glob
import json
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

import densessl.engine.hooks.mean_teacher_hook  # noqa: F401  (registers MeanTeacherHook)
import densessl.engine.runner  # noqa: F401  (registers TeacherStudentValLoop)
from densessl.registry import HOOKS, MODELS
from densessl.utils import register_all_modules
from tests.helpers.tiny_seg import tiny_seg_config
from tests.test_models.test_segmentors.semi_fixtures import tiny_semi_config, write_tiny_semi_data


@HOOKS.register_module(force=True)
class InterruptTrainingHook(Hook):
    """Raise at the start of iteration ``at + 1`` (after iteration ``at`` and its checkpoint)."""

    def __init__(self, at: int):
        self.at = at

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter == self.at:
            raise KeyboardInterrupt(f'interrupted at iteration {self.at}')


@pytest.fixture(scope='module', autouse=True)
def _scope():
    register_all_modules()


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    return write_tiny_semi_data(str(tmp_path_factory.mktemp('tiny_semi')))


def _runner(cfg, work_dir, name, **extra):
    cfg = Config(dict(cfg, work_dir=str(work_dir), experiment_name=name,
                      visualizer=dict(type='Visualizer', vis_backends=[dict(type='LocalVisBackend')]), **extra))
    return Runner.from_cfg(cfg)


def _scalars(work_dir):
    (path, ) = glob.glob(osp.join(str(work_dir), '*', 'vis_data', 'scalars.json'))
    with open(path) as f:
        return [json.loads(line) for line in f]


def _weights(path):
    return torch.load(path, map_location='cpu', weights_only=False)['state_dict']


def test_cutmix_resume_after_interruption_gives_the_uninterrupted_weights(data_root, tmp_path):
    cfg = tiny_semi_config(data_root, 'CutMixSegmentor', max_iters=4, val_interval=2, ckpt_interval=2)
    _runner(cfg, tmp_path / 'straight', 'straight').train()

    interrupted = dict(cfg, custom_hooks=cfg['custom_hooks'] + [dict(type='InterruptTrainingHook', at=2)])
    with pytest.raises(KeyboardInterrupt):
        _runner(interrupted, tmp_path / 'cut', 'cut').train()
    assert osp.isfile(tmp_path / 'cut' / 'iter_2.pth') and not osp.exists(tmp_path / 'cut' / 'iter_4.pth')
    _runner(cfg, tmp_path / 'cut', 'resumed', resume=True, load_from=str(tmp_path / 'cut' / 'iter_2.pth')).train()

    straight, resumed = _weights(tmp_path / 'straight' / 'iter_4.pth'), _weights(tmp_path / 'cut' / 'iter_4.pth')
    assert straight.keys() == resumed.keys()
    assert any(k.startswith('teacher.') for k in straight) and straight['ssl_rng'][1] == 4
    for key in straight:
        assert torch.equal(straight[key], resumed[key]), key
    # and training did move the weights (the comparison is not vacuous)
    first = _weights(tmp_path / 'cut' / 'iter_2.pth')
    key = 'student.decode_head.conv_seg.weight'
    assert not torch.equal(first[key], straight[key])
    assert not torch.equal(first[key.replace('student', 'teacher')], straight[key.replace('student', 'teacher')])


def test_classmix_trains_logs_pixel_ratio_and_validates_teacher_and_student(data_root, tmp_path):
    cfg = tiny_semi_config(data_root, 'ClassMixSegmentor', max_iters=2, val_interval=2, ckpt_interval=2)
    _runner(cfg, tmp_path, 'classmix').train()
    logs = _scalars(tmp_path)
    train = [r for r in logs if 'sup_decode.loss_ce' in r]
    assert [r['iter'] for r in train] == [1, 2]
    for r in train:
        assert 0.0 <= r['unsup_pixel_ratio'] <= 1.0 and r['unsup_loss_cons'] >= 0.0
        assert r['loss'] == pytest.approx(r['sup_decode.loss_ce'] + r['unsup_loss_cons'], rel=1e-4, abs=1e-6)
    (val, ) = [r for r in logs if 'teacher/mIoU' in r]
    assert 'student/mIoU' in val and val['mIoU'] == val['teacher/mIoU']


def test_plain_checkpoint_loads_into_student_and_teacher_through_the_runner(data_root, tmp_path):
    plain = MODELS.build(Config(tiny_seg_config(data_root)).model)
    for p in plain.parameters():
        torch.nn.init.normal_(p)
    path = str(tmp_path / 'supervised.pth')
    torch.save({'state_dict': plain.state_dict(), 'meta': {}}, path)
    runner = _runner(tiny_semi_config(data_root, max_iters=1), tmp_path / 'work', 'plain')
    runner.load_checkpoint(path)
    model = runner.model
    for name, value in plain.state_dict().items():
        assert torch.equal(model.student.state_dict()[name], value), name
        assert torch.equal(model.teacher.state_dict()[name], value), name


def test_unimatch_resume_after_interruption_gives_the_uninterrupted_weights(data_root, tmp_path):
    cfg = tiny_semi_config(data_root, 'UniMatchSegmentor', max_iters=4, val_interval=4, ckpt_interval=2,
                           strong_branches=('unsup_student', 'unsup_student2'), ema_teacher=False)
    _runner(cfg, tmp_path / 'straight', 'uni_straight').train()
    interrupted = dict(cfg, custom_hooks=[dict(type='InterruptTrainingHook', at=2)])
    with pytest.raises(KeyboardInterrupt):
        _runner(interrupted, tmp_path / 'cut', 'uni_cut').train()
    _runner(cfg, tmp_path / 'cut', 'uni_resumed', resume=True, load_from=str(tmp_path / 'cut' / 'iter_2.pth')).train()
    straight, resumed = _weights(tmp_path / 'straight' / 'iter_4.pth'), _weights(tmp_path / 'cut' / 'iter_4.pth')
    for key in straight:
        assert torch.equal(straight[key], resumed[key]), key
    first = _weights(tmp_path / 'cut' / 'iter_2.pth')
    assert not torch.equal(first['student.backbone.conv1.weight'], straight['student.backbone.conv1.weight'])
    logs = [r for r in _scalars(tmp_path / 'straight') if 'unsup_loss_fp' in r]
    assert [r['iter'] for r in logs] == [1, 2, 3, 4]
    for r in logs:
        total = r['sup_decode.loss_ce'] + r['unsup_loss_s1'] + r['unsup_loss_s2'] + r['unsup_loss_fp']
        assert r['loss'] == pytest.approx(total, rel=1e-4, abs=1e-6)
    (val, ) = [r for r in _scalars(tmp_path / 'straight') if 'mIoU' in r]  # the student is evaluated
