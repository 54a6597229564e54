"""FixMatch-seg and UniMatch on a tiny DeepLabV3+: losses recomputed by hand from the same network outputs."""
import copy

import pytest
import torch
import torch.nn.functional as F
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from densessl.models.segmentors import FixMatchSegmentor, UniMatchSegmentor
from densessl.models.ssl import partner_permutation
from densessl.registry import MODELS
from densessl.utils import register_all_modules
from tests.helpers.tiny_seg import tiny_seg_config

H = W = 32


@pytest.fixture(scope='module', autouse=True)
def _scope():
    register_all_modules()


def _build(segmentor_type, **semi_train_cfg):
    seg = copy.deepcopy(tiny_seg_config('unused')['model'])
    return MODELS.build(dict(type=segmentor_type, segmentor=seg, semi_train_cfg=semi_train_cfg))


def _sample(labeled, img_shape=(H, W)):
    s = SegDataSample(metainfo=dict(img_shape=img_shape, ori_shape=img_shape))
    if labeled:
        s.gt_sem_seg = PixelData(data=torch.randint(0, 3, (1, H, W)))
    return s


def _batch(model, strong_branches, n_sup=2, n_unsup=3, unsup_shapes=None, seed=0):
    g = torch.Generator().manual_seed(seed)
    img = lambda h=H, w=W: torch.randint(0, 256, (3, h, w), dtype=torch.uint8, generator=g)  # noqa: E731
    unsup_shapes = unsup_shapes or [(H, W)] * n_unsup
    weak = [img(*shape) for shape in unsup_shapes]
    none_s, none_u = [None] * n_sup, [None] * n_unsup
    inputs = {'sup': [img() for _ in range(n_sup)] + none_u, 'unsup_teacher': none_s + weak}
    samples = {'sup': [_sample(True) for _ in range(n_sup)] + none_u,
               'unsup_teacher': none_s + [_sample(False, s) for s in unsup_shapes]}
    for k, b in enumerate(strong_branches):  # strong views: the weak ones with other colours
        inputs[b] = none_s + [torch.roll(w, k + 1, dims=0) // (k + 2) for w in weak]
        samples[b] = none_s + [_sample(False, s) for s in unsup_shapes]
    data = model.data_preprocessor({'inputs': inputs, 'data_samples': samples}, training=True)
    return data['inputs'], data['data_samples']


def _fixed_masks(model, masks):
    """Make the mixer return ``masks`` in turn (one per strong view)."""
    queue = list(masks)
    model.mixer.forward = lambda labels, *a, **k: queue.pop(0)


def _box(n, top, left, size):
    m = torch.zeros(n, 1, H, W)
    m[:, :, top:top + size, left:left + size] = 1.0
    return 1.0 - m  # the partner shows inside the box (UniMatch), the source elsewhere


def _confident_ce(logits, labels, conf, threshold, valid=None):
    """UniMatch's criterion_u: CE on pixels with conf >= threshold (and valid), divided by the valid pixels."""
    valid = torch.ones_like(conf, dtype=torch.bool) if valid is None else valid
    ce = F.cross_entropy(logits, labels.clamp_max(logits.shape[1] - 1), reduction='none')
    used = (conf >= threshold) & valid
    return (ce * used).sum() / valid.sum()


def _threshold_between(model, conf):
    """A threshold some pixels pass and some do not (a test of the mask, not of an all-or-nothing case)."""
    t = float(conf.median())
    model.confidence_mask.threshold = t
    return t


def test_fixmatch_defaults_are_the_unimatch_code_base_ones():
    model = _build('FixMatchSegmentor')
    cfg = model.semi_train_cfg
    assert cfg['pseudo_label_from'] == 'student' and model.semi_test_cfg['predict_on'] == 'student'
    assert cfg['confidence']['threshold'] == 0.95 and cfg['confidence']['mode'] == 'pixel'
    assert cfg['sup_weight'] == 0.5 and cfg['unsup_weight'] == 0.5  # (L_x + L_s) / 2
    assert cfg['mix'] == dict(type='CutMixMask', area=(0.02, 0.4), aspect_ratio=(0.3, 1 / 0.3), prob=0.5,
                              box_from='partner')
    assert model.required_branches == ('sup', 'unsup_teacher', 'unsup_student')
    uni = _build('UniMatchSegmentor').semi_train_cfg
    assert uni['strong_branches'] == ('unsup_student', 'unsup_student2') and uni['strong_weights'] == (0.25, 0.25)
    assert uni['feature_perturbation'] == dict(type='FeatureDropout', p=0.5) and uni['fp_weight'] == 0.5


def test_fixmatch_loss_is_the_confident_cross_entropy_on_the_mixed_strong_view():
    model = _build('FixMatchSegmentor')
    model.train()
    inputs, samples = _batch(model, ['unsup_student'])
    weak, strong = inputs['unsup_teacher'], inputs['unsup_student']
    with torch.no_grad():  # the student's own weak prediction (train-mode BN: batch statistics, deterministic)
        probs = model._logits(model.student, weak).softmax(1)
    conf, labels = probs.max(1)
    t = _threshold_between(model, conf)
    mask = _box(3, 4, 8, 12)
    _fixed_masks(model, [mask])
    losses = model.loss(inputs, samples)

    perm = partner_permutation(3)
    m = mask[:, 0].bool()
    mixed = mask * strong + (1 - mask) * strong[perm]
    labels_mix, conf_mix = torch.where(m, labels, labels[perm]), torch.where(m, conf, conf[perm])
    with torch.no_grad():
        logits = model._logits(model.student, mixed)
    expected = _confident_ce(logits, labels_mix, conf_mix, t)
    assert 0.0 < float((conf_mix >= t).float().mean()) < 1.0
    assert losses['unsup_loss_cons'].item() == pytest.approx(0.5 * expected.item(), rel=1e-4)
    assert losses['unsup_pixel_ratio'].item() == pytest.approx(float((conf_mix >= t).float().mean()), abs=1e-6)
    sup = model.student.loss(inputs['sup'], samples['sup'])['decode.loss_ce']
    assert losses['sup_decode.loss_ce'].item() == pytest.approx(0.5 * sup.item(), rel=1e-4)


def test_fixmatch_ignores_padding_of_unlabeled_images():
    model = _build('FixMatchSegmentor', mix=None, threshold=0.0)
    model.train()
    inputs, samples = _batch(model, ['unsup_student'], n_unsup=2, unsup_shapes=[(H, W), (H, 20)])
    seen = {}
    loss_fn = model.unsup_loss.forward

    def spy(logits, target, weight=None, valid=None):
        seen['valid'], seen['target'] = valid, target
        return loss_fn(logits, target, weight, valid)

    model.unsup_loss.forward = spy
    model.loss(inputs, samples)
    assert seen['valid'][0].all() and not seen['valid'][1, :, 20:].any() and seen['valid'][1, :, :20].all()
    assert (seen['target'][1, :, 20:] == 255).all()


def _spy_fp(model):
    seen = {}
    fp = model.feature_perturbation.forward

    def spy(feats):
        for f in feats:
            f.retain_grad()
        seen['in'], seen['out'] = feats, fp(feats)
        return seen['out']

    model.feature_perturbation.forward = spy
    return seen


def test_unimatch_losses_weights_views_and_feature_perturbation():
    model = _build('UniMatchSegmentor')
    model.train()
    branches = ['unsup_student', 'unsup_student2']
    inputs, samples = _batch(model, branches)
    weak, s1, s2 = inputs['unsup_teacher'], inputs['unsup_student'], inputs['unsup_student2']
    with torch.no_grad():
        feats = model.student.extract_feat(weak)
        probs = model._decode(model.student, feats, weak.shape[2:]).softmax(1)
    conf, labels = probs.max(1)
    t = _threshold_between(model, conf)
    m1, m2 = _box(3, 2, 2, 10), _box(3, 16, 10, 14)
    _fixed_masks(model, [m1, m2])
    seen = _spy_fp(model)
    losses = model.loss(inputs, samples)
    assert {'unsup_loss_s1', 'unsup_loss_s2', 'unsup_loss_fp', 'unsup_pixel_ratio'} <= set(losses)

    # each strong view: its own box and partner (view k mixes i with i + k + 1), targets mixed the same way
    views, expected = [], []
    for k, (view, mask) in enumerate([(s1, m1), (s2, m2)]):
        perm = partner_permutation(3, shift=k + 1)
        m = mask[:, 0].bool()
        views.append(mask * view + (1 - mask) * view[perm])
        expected.append((torch.where(m, labels, labels[perm]), torch.where(m, conf, conf[perm])))
    with torch.no_grad():  # one student forward over both strong views, as the model (and UniMatch) does
        l1, l2 = model._logits(model.student, torch.cat(views)).chunk(2)
        fp_logits = model._decode(model.student, [f.detach() for f in seen['out']], weak.shape[2:])
    assert losses['unsup_loss_s1'].item() == pytest.approx(0.125 * _confident_ce(l1, *expected[0], t).item(), rel=1e-4)
    assert losses['unsup_loss_s2'].item() == pytest.approx(0.125 * _confident_ce(l2, *expected[1], t).item(), rel=1e-4)
    # the fp stream: unmixed targets from the clean decoding of the same features
    assert losses['unsup_loss_fp'].item() == pytest.approx(0.25 * _confident_ce(fp_logits, labels, conf, t).item(),
                                                           rel=1e-4)
    for f_in, f_out in zip(seen['in'], seen['out']):  # Dropout2d(0.5): whole channels zeroed, the rest doubled
        dropped = f_out.abs().sum((2, 3)) == 0
        assert dropped.any() and (~dropped).any()
        kept = ~dropped & (f_in.abs().sum((2, 3)) > 0)
        assert torch.allclose(f_out[kept], 2 * f_in[kept])
    sup = model.student.loss(inputs['sup'], samples['sup'])['decode.loss_ce']
    assert losses['sup_decode.loss_ce'].item() == pytest.approx(0.5 * sup.item(), rel=1e-4)


def test_unimatch_fp_loss_reaches_encoder_and_decoder_through_the_dropped_features():
    model = _build('UniMatchSegmentor', threshold=0.0)
    model.train()
    inputs, samples = _batch(model, ['unsup_student', 'unsup_student2'])
    seen = _spy_fp(model)
    losses = model.loss(inputs, samples)
    losses['unsup_loss_fp'].backward()
    grads = {n: p.grad for n, p in model.student.named_parameters()}
    assert grads['backbone.conv1.weight'] is not None and grads['backbone.conv1.weight'].abs().sum() > 0
    assert grads['decode_head.conv_seg.weight'].abs().sum() > 0
    # the deepest map feeds nothing but the decoder: its gradient passes the kept channels only (shallower maps
    # also receive gradients from the deeper stages computed from them)
    f_in, f_out = seen['in'][-1], seen['out'][-1]
    dropped = (f_out.abs().sum((2, 3)) == 0) & (f_in.abs().sum((2, 3)) > 0)
    g = f_in.grad.abs().sum((2, 3))
    assert dropped.any() and (g[dropped] == 0).all()  # no gradient through a dropped channel ...
    assert (g[~dropped] > 0).any()  # ... only through the kept ones
    assert model.teacher is None  # nothing uses a teacher: none is built


def test_unimatch_targets_come_from_the_unperturbed_weak_prediction_without_gradient():
    model = _build('UniMatchSegmentor', threshold=0.0, mix=None)
    model.train()
    inputs, samples = _batch(model, ['unsup_student', 'unsup_student2'])
    seen = []
    compute = model.loss_by_pseudo_labels

    def spy(logits, targets):
        seen.append(targets)
        return compute(logits, targets)

    model.loss_by_pseudo_labels = spy
    model.loss(inputs, samples)
    with torch.no_grad():
        clean = model._decode(model.student, model.student.extract_feat(inputs['unsup_teacher']), (H, W))
    assert len(seen) == 3  # two strong views and the fp stream, all against the same (unmixed) targets here
    for targets in seen:
        assert torch.equal(targets['labels'], clean.argmax(1))
        assert not targets['confidence'].requires_grad


def test_unimatch_needs_both_strong_branches():
    model = _build('UniMatchSegmentor')
    inputs, samples = _batch(model, ['unsup_student'])
    with pytest.raises(ValueError, match='unsup_student2'):
        model.loss(inputs, samples)


def test_teacher_built_only_when_used_and_plain_checkpoints_load_into_the_student():
    plain = MODELS.build(copy.deepcopy(tiny_seg_config('unused')['model']))
    model = _build('UniMatchSegmentor')
    assert model.teacher is None
    model.load_state_dict(plain.state_dict())
    for name, value in plain.state_dict().items():
        assert torch.equal(model.student.state_dict()[name], value), name
    seg = copy.deepcopy(tiny_seg_config('unused')['model'])
    ema_eval = MODELS.build(dict(type='FixMatchSegmentor', segmentor=seg, semi_test_cfg=dict(predict_on='teacher')))
    assert ema_eval.teacher is not None and not ema_eval.teacher.training


def test_template_config_errors():
    with pytest.raises(ValueError, match='strong_weights'):
        _build('UniMatchSegmentor', strong_weights=(1.0, ))
    with pytest.raises(ValueError, match='pseudo_label_from'):
        _build('FixMatchSegmentor', pseudo_label_from='ema')
    with pytest.raises(ValueError, match='strong branch or a feature_perturbation'):
        _build('FixMatchSegmentor', strong_branches=())
    assert isinstance(_build('FixMatchSegmentor'), FixMatchSegmentor)
    assert isinstance(_build('UniMatchSegmentor'), UniMatchSegmentor)
