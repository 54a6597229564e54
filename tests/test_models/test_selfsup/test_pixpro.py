"""PixPro: positive rule, PPM, pixel loss and gradient flow (densessl.models.selfsup.pixpro)."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.logging import MessageHub
from mmengine.registry import DefaultScope
from mmpretrain.structures import DataSample

from densessl.models.selfsup import (PixelPropagationModule, PixPro, pixel_contrast_loss, pixpro_positive_mask,
                                     views_to_coords)


def official_positive_mask(coord_q, coord_k, h, w, pos_ratio=0.7):
    """The rule of zdaxie/PixPro ``regression_loss`` (same feature size for both views), written out per pixel."""
    out = torch.zeros(len(coord_q), h * w, h * w, dtype=torch.bool)
    for b in range(len(coord_q)):
        q, k = coord_q[b].tolist(), coord_k[b].tolist()
        qbw, qbh = (q[2] - q[0]) / w, (q[3] - q[1]) / h
        kbw, kbh = (k[2] - k[0]) / w, (k[3] - k[1]) / h
        max_diag = max(math.hypot(qbw, qbh), math.hypot(kbw, kbh))
        for i in range(h * w):
            qy, qx = divmod(i, w)
            cqx, cqy = (qx + 0.5) * qbw + q[0], (qy + 0.5) * qbh + q[1]
            for j in range(h * w):
                ky, kx = divmod(j, w)
                ckx, cky = (kx + 0.5) * kbw + k[0], (ky + 0.5) * kbh + k[1]
                out[b, i, j] = math.hypot(cqx - ckx, cqy - cky) / max_diag < pos_ratio
    return out


def test_positive_mask_hand_built_boxes():
    whole = torch.tensor([[0., 0., 1., 1.]], dtype=torch.float64)
    # identical views: a pixel's neighbours are 1/7 apart, 0.707 bin diagonals: only the pixel itself is positive
    mask = pixpro_positive_mask(whole, whole, (7, 7))
    assert torch.equal(mask[0], torch.eye(49, dtype=torch.bool))
    # the second view flipped horizontally (x0 and x1 swapped): pixel (y, x) matches (y, 6 - x)
    flipped = torch.tensor([[1., 0., 0., 1.]], dtype=torch.float64)
    mask = pixpro_positive_mask(whole, flipped, (7, 7))
    expected = torch.zeros(49, 49, dtype=torch.bool)
    for y in range(7):
        for x in range(7):
            expected[y * 7 + x, y * 7 + 6 - x] = True
    assert torch.equal(mask[0], expected)
    # disjoint crops: no positives
    left, right = torch.tensor([[0., 0., .4, 1.]]), torch.tensor([[.6, 0., 1., 1.]])
    assert not pixpro_positive_mask(left, right, (7, 7)).any()
    # the top-left quarter against the whole image, 2x2 maps: centres at 0.125/0.375 vs 0.25/0.75, the larger bin
    # diagonal is 0.707, so the radius is 0.495: distances 0.177 and 0.395 are in, 0.530 and more are out
    quarter = torch.tensor([[0., 0., .5, .5]], dtype=torch.float64)
    mask = pixpro_positive_mask(quarter, whole, (2, 2))
    assert torch.equal(mask[0], torch.tensor([[True, False, False, False], [True, True, False, False],
                                              [True, False, True, False], [True, True, True, False]]))


def test_positive_mask_equals_official_rule_on_random_boxes():
    rng = np.random.default_rng(0)
    boxes = []
    for _ in range(2 * 6):
        x0, y0 = rng.uniform(0, .6, 2)
        x1, y1 = x0 + rng.uniform(.2, .4), y0 + rng.uniform(.2, .4)
        boxes.append([x0, y0, x1, y1] if rng.random() < .5 else [x1, y0, x0, y1])  # some flipped
    boxes = torch.tensor(boxes, dtype=torch.float64)
    coord_q, coord_k = boxes[:6], boxes[6:]
    ours = pixpro_positive_mask(coord_q, coord_k, (5, 5), pos_ratio=0.7)
    assert torch.equal(ours, official_positive_mask(coord_q, coord_k, 5, 5))
    assert ours.any()  # the random boxes overlap somewhere


def test_views_to_coords_follows_official_normalisation():
    # a 101x201 (H x W) image; crop x 20..119, y 10..59 (inclusive ends), the second view flipped
    bboxes = torch.tensor([[20., 10., 119., 59.], [20., 10., 119., 59.]])
    coords = views_to_coords(bboxes, torch.tensor([False, True]), torch.tensor([[101, 201], [101, 201]]))
    assert torch.allclose(coords[0], torch.tensor([.1, .1, .595, .59], dtype=torch.float64))
    assert torch.allclose(coords[1], torch.tensor([.595, .1, .1, .59], dtype=torch.float64))
    vflipped = views_to_coords(bboxes[:1], torch.tensor([False]), torch.tensor([[101, 201]]), torch.tensor([True]))
    assert torch.allclose(vflipped[0], torch.tensor([.1, .59, .595, .1], dtype=torch.float64))


def test_pixel_contrast_loss_numbers():
    torch.manual_seed(0)
    feat = torch.randn(2, 8, 3, 3)
    eye = torch.eye(9, dtype=torch.bool).expand(2, 9, 9)
    assert pixel_contrast_loss(feat, feat, eye).item() == pytest.approx(-2., abs=1e-6)
    assert pixel_contrast_loss(feat, -feat, eye).item() == pytest.approx(2., abs=1e-6)
    other = torch.randn(2, 8, 3, 3)
    mask = torch.rand(2, 9, 9) < .3
    q, k = F.normalize(feat, dim=1).flatten(2), F.normalize(other, dim=1).flatten(2)
    logit = torch.bmm(q.transpose(1, 2), k)
    expected = -2 * ((logit * mask).sum((1, 2)) / (mask.sum((1, 2)) + 1e-6)).mean()
    assert pixel_contrast_loss(feat, other, mask).item() == pytest.approx(expected.item(), abs=1e-6)
    # a sample without positives contributes 0 (official behaviour)
    none = torch.zeros(2, 9, 9, dtype=torch.bool)
    assert pixel_contrast_loss(feat, other, none).item() == 0


def test_ppm_matches_formula():
    torch.manual_seed(0)
    ppm = PixelPropagationModule(channels=4, gamma=2., num_transform_layers=1)
    x = torch.randn(1, 4, 2, 3)
    out = ppm(x)
    v = F.normalize(ppm.value_transform(x), dim=1).flatten(2)[0]  # (C, N)
    k = F.normalize(x, dim=1).flatten(2)[0]
    sim = (k.t() @ k).clamp(min=0)**2
    assert torch.allclose(out.flatten(2)[0], v @ sim.t(), atol=1e-6)
    assert isinstance(PixelPropagationModule(4, num_transform_layers=0).value_transform, torch.nn.Identity)
    with pytest.raises(ValueError, match='num_transform_layers'):
        PixelPropagationModule(4, num_transform_layers=3)


def tiny_pixpro(**kwargs):
    cfg = dict(
        backbone=dict(type='ResNet', depth=18, stem_channels=8, base_channels=8, out_indices=(3, ),
                      norm_cfg=dict(type='BN')),
        neck=dict(type='PixProNeck', in_channels=64, hid_channels=32, out_channels=16),
        data_preprocessor=dict(mean=[0., 0., 0.], std=[1., 1., 1.]))
    cfg.update(kwargs)
    model = PixPro(**cfg)
    model.train()
    return model


def samples(batch, size=64):
    out = []
    for _ in range(batch):
        s = DataSample()
        s.set_metainfo(dict(view_bboxes=np.array([[0, 0, 79, 79], [16, 8, 79, 71]], np.float32),
                            view_flips=np.array([False, True]), view_src_shapes=np.array([[80, 80], [80, 80]])))
        out.append(s)
    return out


@pytest.fixture(autouse=True)
def densessl_scope():
    import mmpretrain.models  # noqa: F401
    import mmseg.models  # noqa: F401
    if DefaultScope.check_instance_created('test_pixpro'):
        DefaultScope.get_instance('test_pixpro')  # make it current again
    else:
        DefaultScope.get_instance('test_pixpro', scope_name='densessl')
    MessageHub.get_current_instance().update_info('max_iters', 10)  # CosineEMA reads it


def test_gradients_reach_input_and_online_nets_never_target():
    torch.manual_seed(0)
    model = tiny_pixpro(instance_loss_weight=1., instance_neck=dict(type='PixProNeck', in_channels=64,
                                                                      hid_channels=32, out_channels=16),
                        instance_head=dict(type='PixProNeck', in_channels=16, hid_channels=32, out_channels=16),
                        affine=dict(type='DifferentiableAffine', p=1.))
    views = [torch.randn(2, 3, 128, 128, requires_grad=True) for _ in range(2)]  # 4x4 maps
    losses = model.loss(views, samples(2))
    assert set(losses) == {'loss_pixel', 'loss_instance', 'loss_wreg'}
    assert all(torch.isfinite(v) for v in losses.values())

    def grads_of(loss):
        model.zero_grad(set_to_none=True)
        for v in views:
            v.grad = None
        loss.backward(retain_graph=True)
        return {n: p.grad for n, p in model.named_parameters()}

    for name in ('loss_pixel', 'loss_instance'):
        grads = grads_of(losses[name])
        assert all(v.grad is not None and v.grad.abs().sum() > 0 for v in views), name  # through the affine
        assert grads['backbone.conv1.weight'] is not None and grads['backbone.conv1.weight'].abs().sum() > 0
        target = {n: g for n, g in grads.items() if n.startswith(('target_net.', 'target_instance_neck.'))}
        assert target and all(g is None for g in target.values()), name
        assert all(not p.requires_grad for n, p in model.named_parameters() if n.startswith('target_'))
    grads = grads_of(losses['loss_pixel'])
    assert grads['neck.conv1.weight'].abs().sum() > 0 and grads['ppm.value_transform.weight'].abs().sum() > 0
    assert grads['instance_head.conv1.weight'] is None
    grads = grads_of(losses['loss_instance'])
    assert grads['instance_head.conv1.weight'].abs().sum() > 0 and grads['ppm.value_transform.weight'] is None


def test_target_starts_as_online_copy_and_follows_ema():
    torch.manual_seed(0)
    model = tiny_pixpro(affine=None, weight_reg=0.)
    online = model.backbone.conv1.weight
    target = model.target_net.module[0].conv1.weight
    with torch.no_grad():
        target.add_(1.)  # differs before the first update
    model.loss([torch.randn(2, 3, 32, 32), torch.randn(2, 3, 32, 32)], samples(2))
    assert torch.equal(target, online)  # first update copies (MMEngine averaged-model step 0)
    model.set_teacher_weight(0.99)
    before = target.detach().clone()
    with torch.no_grad():
        online.add_(1.)
    model.loss([torch.randn(2, 3, 32, 32), torch.randn(2, 3, 32, 32)], samples(2))
    assert torch.allclose(target, 0.99 * before + 0.01 * online, atol=1e-6)


def test_switches_and_valid_mask():
    torch.manual_seed(0)
    views = [torch.randn(2, 3, 64, 64), torch.randn(2, 3, 64, 64)]
    plain = tiny_pixpro(affine=None, weight_reg=0.)
    assert plain.affine is None and plain.backbone_pre is None
    assert set(plain.loss(views, samples(2))) == {'loss_pixel'}
    # an affine that moves everything out of the frame leaves no valid pixel, hence no positive pair and loss 0
    model = tiny_pixpro(affine=dict(type='DifferentiableAffine', degrees=0, scale=(1., 1.), shear=0,
                                    translate=0.99, p=1.))
    model.affine.sample = lambda b, size, device=None, dtype=None, generator=None: torch.tensor(
        [[1., 0., 200.], [0., 1., 0.], [0., 0., 1.]]).expand(b, 3, 3)
    assert model.loss(views, samples(2))['loss_pixel'].item() == 0
    # in eval mode no affine is applied (no matrices)
    model.eval()
    assert model.affine_views(views)[1] == [None, None]


def test_missing_view_geometry_is_a_clear_error():
    model = tiny_pixpro(affine=None)
    with pytest.raises(KeyError, match='view_bboxes'):
        model.loss([torch.randn(2, 3, 32, 32), torch.randn(2, 3, 32, 32)], [DataSample(), DataSample()])
    with pytest.raises(ValueError, match='two views'):
        model.loss(torch.randn(2, 3, 32, 32), samples(2))
