"""Loss weights of S4L-Rotation and MOAM's first step (seed 001), on hand-checked values with a tiny classifier."""
import copy

import pytest
import torch
import torch.nn.functional as F
from mmpretrain.structures import DataSample

from densessl.models.classifiers import S4LRotation, S4LRotationVAT
from densessl.models.ssl import entropy, frozen_bn_stats, rotate_batch
from densessl.utils import register_all_modules

from .cls_fixtures import tiny_classifier


@pytest.fixture(autouse=True, scope='module')
def _registry():
    register_all_modules()


def _batch(seed=0):
    torch.manual_seed(seed)
    x_sup, x_u = torch.randn(2, 3, 16, 16), torch.randn(3, 3, 16, 16)
    samples = [DataSample().set_gt_label(4), DataSample().set_gt_label(9)]
    return {'sup': x_sup, 'unsup_teacher': x_u}, {'sup': samples, 'unsup_teacher': None}


def _model(cls, **semi):
    torch.manual_seed(0)
    model = cls(classifier=tiny_classifier(num_classes=10), semi_train_cfg=semi)
    model.train()
    return model


def test_s4l_rotation_loss_is_not_ramped():
    """S4L's rotation term is a self-supervised loss with its own weight w (L = L_l + w L_u): neither the
    unsupervised ramp nor unsup_weight touches it, from the first step on."""
    inputs, samples = _batch()
    plain = _model(S4LRotation, rotation_weight=0.5)
    ramped = _model(S4LRotation, rotation_weight=0.5, unsup_weight=0.3, rampup_iters=1000)
    assert ramped.unsup_factor() == 0.0  # step 0 of the ramp
    a, b = plain.loss(inputs, samples), ramped.loss(inputs, samples)
    assert a['unsup_loss_rot'].item() > 0.1
    assert b['unsup_loss_rot'].item() == pytest.approx(a['unsup_loss_rot'].item(), rel=1e-6)


def test_moam_weights_and_their_ramps():
    """Seed 001 (MOAM, S4L Sec. 5): "w_sup 0.3, w_rot 0.7, w_vat 0.3, w_entmin 0.3"; only VAT is ramped."""
    model = _model(S4LRotationVAT)
    cfg = model.semi_train_cfg
    assert (cfg['sup_weight'], cfg['rotation_weight'], cfg['unsup_weight'], cfg['entmin_weight']) == \
        (0.3, 0.7, 0.3, 0.3)
    ref = copy.deepcopy(model)
    inputs, samples = _batch()
    torch.manual_seed(7)
    losses = model.loss(inputs, samples)
    # the S4L part, recomputed by hand on the copy
    xr_sup, r_sup = rotate_batch(inputs['sup'])
    xr_u, r_u = rotate_batch(inputs['unsup_teacher'])
    (logits, f_sup), (_, f_u) = ref.forward_student(xr_sup, xr_u, with_feats=True)
    ce_sup = F.cross_entropy(logits, torch.tensor([4, 9] * 4))
    ce_rot = F.cross_entropy(ref.rotation_head(torch.cat([f_sup, f_u])), torch.cat([r_sup, r_u]))
    assert losses['sup_loss'].item() == pytest.approx(0.3 * ce_sup.item(), rel=1e-5)
    assert losses['unsup_loss_rot'].item() == pytest.approx(0.7 * ce_rot.item(), rel=1e-5)
    with frozen_bn_stats(ref.student):
        logits_u = ref.head_logits(ref.student, ref.features(ref.student, inputs['unsup_teacher']))
    assert losses['unsup_loss_entmin'].item() == pytest.approx(0.3 * entropy(logits_u).item(), rel=1e-5)
    assert losses['unsup_loss_vat'].item() > 0
    # with a ramp: at its middle the VAT term halves (same step, same random direction), the others do not move
    full, half = _model(S4LRotationVAT), _model(S4LRotationVAT, rampup_iters=10)
    out = []
    for m in (full, half):
        m.ssl_iter.fill_(5)
        torch.manual_seed(7)
        out.append(m.loss(inputs, samples))
    assert out[1]['unsup_loss_vat'].item() == pytest.approx(0.5 * out[0]['unsup_loss_vat'].item(), rel=1e-4)
    for key in ('sup_loss', 'unsup_loss_rot', 'unsup_loss_entmin'):
        assert out[1][key].item() == pytest.approx(out[0][key].item(), rel=1e-5), key
