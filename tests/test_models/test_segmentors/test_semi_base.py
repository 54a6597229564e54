"""SemiBaseSegmentor / CutMixSegmentor / ClassMixSegmentor on a tiny DeepLabV3+ (no Runner)."""
import copy

import pytest
import torch
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from densessl.models.segmentors import ClassMixSegmentor, CutMixSegmentor, SemiBaseSegmentor
from densessl.models.ssl import partner_permutation
from densessl.registry import MODELS
from densessl.utils import register_all_modules
from tests.helpers.tiny_seg import tiny_seg_config

H = W = 32


@pytest.fixture(scope='module', autouse=True)
def _scope():
    register_all_modules()


def _segmentor_cfg():
    return copy.deepcopy(tiny_seg_config('unused')['model'])


def _build(segmentor_type='SemiBaseSegmentor', **semi_train_cfg):
    return MODELS.build(dict(type=segmentor_type, segmentor=_segmentor_cfg(), semi_train_cfg=semi_train_cfg))


def _sample(labeled, img_shape=(H, W)):
    s = SegDataSample(metainfo=dict(img_shape=img_shape, ori_shape=img_shape))
    if labeled:
        s.gt_sem_seg = PixelData(data=torch.randint(0, 3, (1, H, W)))
    return s


def _batch(model, n_sup=2, n_unsup=2, unsup_shapes=None, seed=0):
    """A preprocessed multi-branch batch; the unlabeled samples have no mask at all."""
    g = torch.Generator().manual_seed(seed)
    img = lambda h=H, w=W: torch.randint(0, 256, (3, h, w), dtype=torch.uint8, generator=g)  # noqa: E731
    unsup_shapes = unsup_shapes or [(H, W)] * n_unsup
    weak = [img(*shape) for shape in unsup_shapes]  # smaller images are padded to H x W by the preprocessor
    none_s, none_u = [None] * n_sup, [None] * n_unsup
    batch = {
        'inputs': {'sup': [img() for _ in range(n_sup)] + none_u, 'unsup_teacher': none_s + weak,
                   'unsup_student': none_s + [w.flip(0) for w in weak]},
        'data_samples': {'sup': [_sample(True) for _ in range(n_sup)] + none_u,
                         'unsup_teacher': none_s + [_sample(False, s) for s in unsup_shapes],
                         'unsup_student': none_s + [_sample(False, s) for s in unsup_shapes]},
    }
    data = model.data_preprocessor(batch, training=True)
    return data['inputs'], data['data_samples']


def test_student_and_teacher_from_one_config_teacher_frozen():
    model = _build()
    assert type(model.student) is type(model.teacher)
    assert model.student is not model.teacher
    assert sorted(model.student.state_dict()) == sorted(model.teacher.state_dict())
    assert all(not p.requires_grad for p in model.teacher.parameters())
    assert all(p.requires_grad for p in model.student.parameters())
    model.train()  # the runner calls train() every iteration
    assert model.student.training and not model.teacher.training
    assert type(model.data_preprocessor).__name__ == 'MultiBranchDataPreprocessor'


def test_losses_named_weighted_and_only_the_student_gets_gradients():
    model = _build(threshold=0.0, sup_weight=1.0, unsup_weight=1.0)
    model.train()
    inputs, samples = _batch(model)
    ref = model.loss(inputs, samples)
    assert {'sup_decode.loss_ce', 'sup_decode.acc_seg', 'unsup_loss_cons', 'unsup_pixel_ratio'} <= set(ref)
    assert all(k.startswith(('sup_', 'unsup_')) for k in ref)
    assert ref['unsup_pixel_ratio'].item() == pytest.approx(1.0)  # threshold 0: every pixel used
    assert not ref['unsup_pixel_ratio'].requires_grad
    loss, log_vars = model.parse_losses(ref)
    # the pixel ratio is logged but not summed into the loss
    assert torch.allclose(loss, ref['sup_decode.loss_ce'] + ref['unsup_loss_cons'])
    assert 'unsup_pixel_ratio' in log_vars
    loss.backward()
    assert all(p.grad is None for p in model.teacher.parameters())
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in model.student.parameters())

    weighted = _build(threshold=0.0, sup_weight=2.0, unsup_weight=0.5)
    weighted.load_state_dict(model.state_dict())
    weighted.ssl_rng.copy_(torch.tensor([model.ssl_rng[0], 0]))  # same draws as the first call
    weighted.train()
    out = weighted.loss(inputs, samples)
    assert torch.allclose(out['sup_decode.loss_ce'], 2.0 * ref['sup_decode.loss_ce'])
    assert torch.allclose(out['unsup_loss_cons'], 0.5 * ref['unsup_loss_cons'])
    assert torch.allclose(out['sup_decode.acc_seg'], ref['sup_decode.acc_seg'])  # not a loss: not reweighted


@pytest.mark.parametrize('segmentor_type', ['CutMixSegmentor', 'ClassMixSegmentor'])
def test_student_sees_the_mixed_strong_view_and_mixed_teacher_targets(segmentor_type):
    model = _build(segmentor_type, threshold=0.0)
    model.train()
    inputs, samples = _batch(model, n_unsup=3)
    seen = {}
    mixer, teacher_fwd, student_fwd, unsup_loss = model.mixer.forward, model.teacher._forward, \
        model.student._forward, model.unsup_loss.forward

    def spy_mixer(labels, *a, **k):
        seen['mask'] = mixer(labels, *a, **k)
        seen['labels'] = labels
        return seen['mask']

    def spy_teacher(x, *a, **k):
        seen['teacher_in'] = x
        return teacher_fwd(x, *a, **k)

    def spy_student(x, *a, **k):
        seen.setdefault('student_in', []).append(x)
        return student_fwd(x, *a, **k)

    def spy_loss(logits, target, weight=None, valid=None):
        seen['target'] = target
        return unsup_loss(logits, target, weight, valid)

    model.mixer.forward, model.teacher._forward, model.student._forward, model.unsup_loss.forward = \
        spy_mixer, spy_teacher, spy_student, spy_loss
    model.loss(inputs, samples)
    weak, strong = inputs['unsup_teacher'], inputs['unsup_student']
    mask, perm = seen['mask'], partner_permutation(3)
    assert torch.equal(seen['teacher_in'], weak)  # pseudo-labels from the weak, unmixed view
    assert torch.equal(seen['student_in'][-1], mask * strong + (1 - mask) * strong[perm])
    with torch.no_grad():
        probs = torch.softmax(model.teacher_logits(weak), 1)
    if segmentor_type == 'CutMixSegmentor':  # soft targets, mixed with the same mask
        assert torch.allclose(seen['target'], mask * probs + (1 - mask) * probs[perm], atol=1e-6)
    else:  # ClassMix: argmax targets; the mask is a union of classes of the source's pseudo-labels
        labels = probs.argmax(1)
        assert torch.equal(seen['target'], torch.where(mask[:, 0].bool(), labels, labels[perm]))
        for lab, m in zip(labels, mask[:, 0].bool()):
            chosen = lab[m].unique()
            assert torch.equal(m, torch.isin(lab, chosen))


def test_padding_of_unlabeled_images_is_invalid():
    model = _build(threshold=0.0)
    inputs, samples = _batch(model, unsup_shapes=[(H, W), (20, 24)])
    valid = model.valid_mask(inputs['unsup_teacher'], samples['unsup_teacher'])
    assert valid[0].all()
    assert valid[1, :20, :24].all() and not valid[1, 20:].any() and not valid[1, :, 24:].any()
    model.train()
    loss_none = copy.deepcopy(model.unsup_loss)
    loss_none.reduction = 'none'
    captured = {}
    model.unsup_loss.forward = lambda logits, target, weight=None, valid=None: captured.update(
        v=loss_none(logits, target, weight, valid)) or captured['v'].sum()
    model.loss(inputs, samples)
    assert (captured['v'][1, 20:] == 0).all() and (captured['v'][1, :, 24:] == 0).all()
    assert (captured['v'][1, :20, :24] > 0).all()


def test_plain_checkpoint_loads_into_student_and_teacher():
    plain = MODELS.build(_segmentor_cfg())
    for p in plain.parameters():
        torch.nn.init.normal_(p)
    model = _build()
    missing, unexpected = model.load_state_dict(plain.state_dict(), strict=True)
    assert not missing and not unexpected
    for name, value in plain.state_dict().items():
        assert torch.equal(model.student.state_dict()[name], value)
        assert torch.equal(model.teacher.state_dict()[name], value)
    # a semi checkpoint loads as it is (no duplication), including the step counter
    other = _build()
    model.ssl_rng[1] = 7
    other.load_state_dict(model.state_dict(), strict=True)
    assert other.ssl_step == 7


def test_predict_on_teacher_by_default_and_student_on_request():
    model = _build()
    model.eval()
    with torch.no_grad():
        for p in model.teacher.decode_head.conv_seg.parameters():
            p.add_(1.0)
    x = torch.randn(1, 3, H, W)
    sample = SegDataSample(metainfo=dict(img_shape=(H, W), ori_shape=(H, W), pad_shape=(H, W)))
    with torch.no_grad():
        t, s = model.teacher._forward(x), model.student._forward(x)
        assert not torch.allclose(t, s)
        assert torch.equal(model(x, mode='tensor'), t)
        pred = model.predict(x, [copy.deepcopy(sample)])[0].seg_logits.data
        assert torch.allclose(pred, model.teacher.predict(x, [copy.deepcopy(sample)])[0].seg_logits.data)
        model.semi_test_cfg['predict_on'] = 'student'
        assert torch.equal(model(x, mode='tensor'), s)


def test_step_randomness_replays_and_leaves_the_global_rng_alone():
    seg = _segmentor_cfg()
    seg['decode_head']['dropout_ratio'] = 0.1
    a, b = [MODELS.build(dict(type='CutMixSegmentor', segmentor=seg, semi_train_cfg=dict(threshold=0.0, seed=3)))
            for _ in range(2)]
    b.load_state_dict(a.state_dict())
    a.train()
    b.train()
    inputs, samples = _batch(a)
    state = torch.get_rng_state()
    la = a.loss(inputs, samples)
    assert torch.equal(torch.get_rng_state(), state)
    torch.rand(5)  # whatever happens to the global generator in between
    lb = b.loss(inputs, samples)
    assert torch.equal(la['unsup_loss_cons'], lb['unsup_loss_cons'])
    assert a.ssl_step == b.ssl_step == 1
    la2 = a.loss(inputs, samples)  # the next step draws differently (dropout, masks)
    assert not torch.equal(la2['unsup_loss_cons'], la['unsup_loss_cons'])


def test_default_configs_of_the_learners():
    cut = CutMixSegmentor(segmentor=_segmentor_cfg())
    assert cut.mixer.area == 0.5 and cut.confidence_mask.threshold == 0.97
    assert cut.confidence_mask.mode == 'proportion' and cut.unsup_loss.loss_type == 'mse'
    cls = ClassMixSegmentor(segmentor=_segmentor_cfg(), semi_train_cfg=dict(confidence=dict(mode='pixel')))
    assert type(cls.mixer).__name__ == 'ClassMixMask' and cls.unsup_loss.loss_type == 'ce'
    assert cls.confidence_mask.threshold == 0.968 and cls.confidence_mask.mode == 'pixel'
    plain = SemiBaseSegmentor(segmentor=_segmentor_cfg(), semi_train_cfg=dict(mix='classmix', threshold=0.5))
    assert type(plain.mixer).__name__ == 'ClassMixMask' and plain.confidence_mask.threshold == 0.5


def test_config_errors():
    with pytest.raises(ValueError, match='unknown semi_train_cfg'):
        _build(thresh=0.9)
    with pytest.raises(ValueError, match="'cutmix', 'classmix'"):
        _build(mix='mixup')
    with pytest.raises(ValueError, match='predict_on'):
        SemiBaseSegmentor(segmentor=_segmentor_cfg(), semi_test_cfg=dict(predict_on='ema'))
    model = _build()
    inputs, samples = _batch(model)
    with pytest.raises(ValueError, match='MultiSourceSampler'):
        model.loss({'sup': inputs['sup']}, {'sup': samples['sup']})


def _bn_stats(net):
    return {k: v.clone() for k, v in net.state_dict().items() if 'running' in k or 'num_batches' in k}


@pytest.mark.parametrize('mode', ['frozen', 'update'])
def test_unsup_pass_leaves_the_student_bn_statistics_to_the_sup_pass(mode):
    """With unsup_bn_stats='frozen' the student's BN running statistics after a step are exactly those of its
    supervised pass alone; with 'update' the strong views move them too."""
    model = _build(unsup_bn_stats=mode, threshold=0.0)
    model.train()
    inputs, samples = _batch(model)
    sup_only = copy.deepcopy(model.student)
    sup_only.loss(inputs['sup'], samples['sup'])
    model.loss(inputs, samples)
    after, expected = _bn_stats(model.student), _bn_stats(sup_only)
    assert after.keys() == expected.keys() and len(after) > 0
    same = all(torch.equal(after[k], expected[k]) for k in after)
    assert same == (mode == 'frozen')
    assert all(m.momentum == 0.1 for m in model.student.modules() if isinstance(m, torch.nn.BatchNorm2d))


def test_unsup_bn_stats_default_and_error():
    assert _build().semi_train_cfg['unsup_bn_stats'] == 'frozen'
    with pytest.raises(ValueError, match='unsup_bn_stats'):
        _build(unsup_bn_stats='ema')
