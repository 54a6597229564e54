"""TeacherStudentValLoop: both networks evaluated, the predicting one also under the plain metric names."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner
from PIL import Image

from densessl.engine.runner import TeacherStudentValLoop
from densessl.utils import register_all_modules
from tests.helpers.tiny_seg import tiny_seg_config
from tests.test_models.test_segmentors.semi_fixtures import tiny_semi_config, write_tiny_semi_data


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    register_all_modules()
    return write_tiny_semi_data(str(tmp_path_factory.mktemp('tiny_semi')))


def _class_share(root, cls):
    with open(osp.join(root, 'val.txt')) as f:
        names = f.read().split()
    masks = [np.array(Image.open(osp.join(root, 'ann', n + '.png'))) for n in names]
    return float(np.mean(np.concatenate([m.ravel() for m in masks]) == cls))


def _runner(cfg, tmp_path, name):
    return Runner.from_cfg(Config(dict(cfg, work_dir=str(tmp_path / name), experiment_name=name)))


def _constant_predictions(model):
    """The teacher predicts class 0 everywhere, the student class 1."""
    for net, cls in ((model.teacher, 0), (model.student, 1)):
        head = net.decode_head.conv_seg
        with torch.no_grad():
            head.weight.zero_()
            head.bias.zero_()
            head.bias[cls] = 10.0


@pytest.mark.parametrize('predict_on', ['teacher', 'student'])
def test_reports_teacher_and_student_and_plain_names_for_the_predictor(data_root, tmp_path, predict_on):
    cfg = tiny_semi_config(data_root)
    cfg['model']['semi_test_cfg'] = dict(predict_on=predict_on)
    runner = _runner(cfg, tmp_path, predict_on)
    assert isinstance(runner.val_loop, TeacherStudentValLoop)
    _constant_predictions(runner.model)
    metrics = runner.val()
    # a network predicting one class everywhere has the pixel share of that class as its accuracy
    assert metrics['teacher/aAcc'] == pytest.approx(100 * _class_share(data_root, 0), abs=0.01)
    assert metrics['student/aAcc'] == pytest.approx(100 * _class_share(data_root, 1), abs=0.01)
    for key in ('aAcc', 'mIoU', 'mAcc'):
        assert metrics[key] == metrics[f'{predict_on}/{key}']
    assert runner.model.semi_test_cfg['predict_on'] == predict_on  # restored


def test_only_the_requested_networks(data_root, tmp_path):
    cfg = tiny_semi_config(data_root)
    cfg['val_cfg'] = dict(type='TeacherStudentValLoop', predict_on=['student'])
    metrics = _runner(cfg, tmp_path, 'student_only').val()
    assert 'student/mIoU' in metrics and not any(k.startswith('teacher/') for k in metrics)
    assert metrics['mIoU'] == metrics['student/mIoU']


def test_errors(data_root, tmp_path):
    plain = tiny_seg_config(data_root)
    plain['val_cfg'] = dict(type='TeacherStudentValLoop')
    with pytest.raises(AttributeError, match='teacher-student'):
        _runner(plain, tmp_path, 'plain').val()
    bad = tiny_semi_config(data_root)
    bad['val_cfg'] = dict(type='TeacherStudentValLoop', predict_on=['ema'])
    with pytest.raises(ValueError, match='predict_on'):
        _runner(bad, tmp_path, 'bad').val()
