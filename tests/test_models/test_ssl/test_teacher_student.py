"""The shared teacher-student plumbing, and the BN statistics of an EMA teacher (issue 10's defect)."""
import copy

import pytest
import torch
import torch.nn as nn

from densessl.engine.hooks.mean_teacher_hook import MeanTeacherHook, ema_update
from densessl.models.ssl import bn_batch_stats, merge_semi_cfg
from densessl.models.ssl.teacher_student import step_seed
from densessl.registry import MODELS
from densessl.utils import register_all_modules
from tests.helpers.tiny_seg import tiny_seg_config


@pytest.fixture(scope='module', autouse=True)
def _scope():
    register_all_modules()


def _net(weight: float) -> nn.Module:
    net = nn.Sequential(nn.Conv2d(1, 1, 1, bias=False), nn.BatchNorm2d(1, momentum=None))
    net[0].weight.data.fill_(weight)
    return net


def test_averaged_weights_need_other_statistics_than_the_averaged_ones_and_the_teacher_pass_restores_them():
    torch.manual_seed(0)
    x = torch.randn(64, 1, 4, 4) * 2 + 1
    students = [_net(1.0), _net(3.0)]
    for s in students:  # each student's exact running statistics (momentum None: cumulative average)
        s.train()(x)
    teacher = _net(0.0)
    ema_update(teacher, students[0], 1.0, buffers='copy')
    ema_update(teacher, students[1], 0.5, buffers='ema')  # teacher = average of the two students
    assert teacher[0].weight.item() == pytest.approx(2.0)
    # averaged statistics: var = (1 + 9) / 2 * var(x) = 5 var(x); the averaged weights give 4 var(x)
    var_x = x.var(unbiased=True).item()
    assert teacher[1].running_var.item() == pytest.approx(5 * var_x, rel=1e-4)
    teacher.eval()
    with torch.no_grad():
        batch_normalised = teacher[1].train()(teacher[0](x))  # what the averaged weights' features look like
        teacher.eval()
        averaged_stats = teacher(x)
    assert not torch.allclose(averaged_stats, batch_normalised, atol=1e-2)

    teacher[1].reset_running_stats()  # the fix: the teacher's own pass on clean images estimates them
    with torch.no_grad(), bn_batch_stats(teacher):
        teacher(x)
    assert not teacher[1].training  # the mode is restored
    assert teacher[1].running_var.item() == pytest.approx(4 * var_x, rel=1e-4)
    with torch.no_grad():
        own_stats = teacher(x)
    assert torch.allclose(own_stats, batch_normalised, rtol=2e-3, atol=1e-3)  # unbiased vs biased variance


def _seg(**semi_train_cfg):
    seg = copy.deepcopy(tiny_seg_config('unused')['model'])
    return MODELS.build(dict(type='CutMixSegmentor', segmentor=seg,
                             semi_train_cfg=dict(threshold=0.0, **semi_train_cfg)))


def _batch(model, n=2, size=32):
    g = torch.Generator().manual_seed(0)
    img = lambda: torch.randint(0, 256, (3, size, size), dtype=torch.uint8, generator=g)  # noqa: E731
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample

    def sample(labeled):
        s = SegDataSample(metainfo=dict(img_shape=(size, size), ori_shape=(size, size)))
        if labeled:
            s.gt_sem_seg = PixelData(data=torch.randint(0, 3, (1, size, size), generator=g))
        return s

    weak = [img() for _ in range(n)]
    batch = {'inputs': {'sup': [img() for _ in range(n)] + [None] * n, 'unsup_teacher': [None] * n + weak,
                        'unsup_student': [None] * n + [w // 2 for w in weak]},
             'data_samples': {'sup': [sample(True) for _ in range(n)] + [None] * n,
                              'unsup_teacher': [None] * n + [sample(False) for _ in range(n)],
                              'unsup_student': [None] * n + [sample(False) for _ in range(n)]}}
    data = model.data_preprocessor(batch, training=True)
    return data['inputs'], data['data_samples']


def _bn_means(net):
    return torch.cat([m.running_mean.clone() for m in net.modules() if isinstance(m, nn.BatchNorm2d)])


@pytest.mark.parametrize('mode', ['self', 'ema'])
def test_teacher_pass_updates_the_teacher_statistics_only_in_self_mode(mode):
    model = _seg(teacher_bn_stats=mode)
    model.train()
    assert not model.teacher.training
    inputs, samples = _batch(model)
    ref = copy.deepcopy(model.teacher)  # the teacher before the step, run by hand on the weak view
    before = _bn_means(model.teacher)
    model.loss(inputs, samples)
    after = _bn_means(model.teacher)
    assert not any(m.training for m in model.teacher.modules())  # eval mode restored after the pass
    if mode == 'self':
        with torch.no_grad(), bn_batch_stats(ref):
            ref._forward(inputs['unsup_teacher'])
        assert not torch.equal(before, after)
        assert torch.allclose(after, _bn_means(ref))  # statistics of its own weights on the clean weak view
    else:
        assert torch.equal(before, after)


def test_mean_teacher_hook_auto_buffers_follow_the_model():
    hook = MeanTeacherHook(teacher_momentum=0.99)
    assert hook.buffers == 'auto'
    assert hook.buffer_mode(_seg()) == 'skip'
    assert hook.buffer_mode(_seg(teacher_bn_stats='ema')) == 'ema'
    assert MeanTeacherHook(buffers='copy').buffer_mode(_seg()) == 'copy'
    with pytest.raises(ValueError, match='teacher_bn_stats'):
        _seg(teacher_bn_stats='student')


def test_fixmatch_style_model_calibrates_an_unused_teacher_only_when_it_predicts():
    seg = copy.deepcopy(tiny_seg_config('unused')['model'])
    model = MODELS.build(dict(type='FixMatchSegmentor', segmentor=seg, semi_test_cfg=dict(predict_on='teacher')))
    model.train()
    inputs, samples = _batch(model)
    before = _bn_means(model.teacher)
    model.loss(inputs, samples)
    assert not torch.equal(before, _bn_means(model.teacher))  # the EMA evaluation model keeps its own statistics

    model = MODELS.build(dict(type='FixMatchSegmentor', segmentor=copy.deepcopy(seg)))  # predicts with the student
    assert model.teacher is None  # an unused teacher is not even built
    model.train()
    model.loss(inputs, samples)


def test_merge_semi_cfg_and_step_seed():
    defaults = dict(a=1, comp=dict(type='T', x=1, y=2))
    assert merge_semi_cfg(defaults, dict(comp=dict(x=5)))['comp'] == dict(type='T', x=5, y=2)
    assert merge_semi_cfg(defaults, dict(comp=dict(type='U', z=1)))['comp'] == dict(type='U', z=1)
    assert merge_semi_cfg(defaults, dict(comp=dict(_delete_=True, type='T')))['comp'] == dict(type='T')
    with pytest.raises(ValueError, match=r"unknown semi_train_cfg key\(s\) \['b'\]"):
        merge_semi_cfg(defaults, dict(b=2), 'Owner')
    seeds = {step_seed(0, s, r) for s in range(50) for r in range(2)}
    assert len(seeds) == 100 and all(0 <= s < 2**63 for s in seeds)


def test_mmengine_config_merge_cannot_replace_merge_semi_cfg():
    """Why ``merge_semi_cfg`` exists: MMEngine's merges keep the default component's arguments under another
    ``type``, cannot put a dict where the default is ``None`` and take unknown keys silently."""
    from mmengine.config import Config, ConfigDict
    defaults = dict(comp=dict(type='T', x=1), mix=None)
    user = dict(comp=dict(type='U', z=1))
    assert Config._merge_a_into_b(copy.deepcopy(user), defaults)['comp'] == dict(type='U', x=1, z=1)
    merged = ConfigDict(copy.deepcopy(defaults))
    merged.merge(copy.deepcopy(user))
    assert merged.comp.to_dict() == dict(type='U', x=1, z=1)
    assert merge_semi_cfg(defaults, user)['comp'] == dict(type='U', z=1)
    with pytest.raises(TypeError, match='cannot inherit from base'):
        Config._merge_a_into_b(dict(mix=dict(type='CutMixMask')), defaults)
    assert merge_semi_cfg(defaults, dict(mix=dict(type='CutMixMask')))['mix'] == dict(type='CutMixMask')
    assert Config._merge_a_into_b(dict(typo=1), defaults)['typo'] == 1
    with pytest.raises(ValueError, match='unknown semi_train_cfg key'):
        merge_semi_cfg(defaults, dict(typo=1))


def test_merge_classmethods_give_the_built_models_cfgs():
    """``merge_train_cfg`` / ``merge_test_cfg`` give, without building, what a built model holds."""
    seg = copy.deepcopy(tiny_seg_config('unused')['model'])
    user = dict(mix='classmix', threshold=0.5, strong_weights=[2.0])
    cls = MODELS.get('CutMixSegmentor')
    merged = cls.merge_train_cfg(user)
    model = MODELS.build(dict(type='CutMixSegmentor', segmentor=copy.deepcopy(seg), semi_train_cfg=user,
                              semi_test_cfg=dict(predict_on='student')))
    assert merged == model.semi_train_cfg
    assert merged['mix'] == dict(type='ClassMixMask') and merged['confidence']['threshold'] == 0.5
    assert merged['confidence']['mode'] == 'proportion' and merged['strong_weights'] == (2.0, )
    assert cls.merge_test_cfg(dict(predict_on='student')) == model.semi_test_cfg == dict(predict_on='student')
    with pytest.raises(ValueError, match='predict_on'):
        cls.merge_test_cfg(dict(predict_on='both'))
    with pytest.raises(ValueError, match='teacher_bn_stats'):
        cls.merge_train_cfg(dict(teacher_bn_stats='running'))
