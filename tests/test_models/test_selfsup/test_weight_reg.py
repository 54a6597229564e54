"""The weight regulariser λ‖Φ − Φ_pre‖² of target pretraining (densessl.models.selfsup.base)."""
import numpy as np
import pytest
import torch
from mmengine.logging import MessageHub
from mmengine.registry import DefaultScope
from mmpretrain.structures import DataSample

from densessl.models.selfsup import PixPro, WeightSnapshot, weight_regularisation


@pytest.fixture(autouse=True)
def densessl_scope():
    import mmpretrain.models  # noqa: F401
    import mmseg.models  # noqa: F401
    if DefaultScope.check_instance_created('test_weight_reg'):
        DefaultScope.get_instance('test_weight_reg')
    else:
        DefaultScope.get_instance('test_weight_reg', scope_name='densessl')
    MessageHub.get_current_instance().update_info('max_iters', 10)


BACKBONE = dict(type='ResNet', depth=18, stem_channels=8, base_channels=8, out_indices=(3, ), strides=(1, 2, 2, 1),
                norm_cfg=dict(type='BN'))


def tiny_model(**kwargs):
    model = PixPro(backbone=dict(BACKBONE), neck=dict(type='PixProNeck', in_channels=64, hid_channels=32,
                                                      out_channels=16),
                   data_preprocessor=dict(mean=[0., 0., 0.], std=[1., 1., 1.]), **kwargs)
    model.train()
    return model


def batch(n=2, size=64):
    views = [torch.randn(n, 3, size, size), torch.randn(n, 3, size, size)]
    samples = []
    for _ in range(n):
        s = DataSample()
        s.set_metainfo(dict(view_bboxes=np.array([[0, 0, 63, 63], [8, 8, 55, 55]], np.float32),
                            view_flips=np.array([False, False]), view_src_shapes=np.array([[64, 64], [64, 64]])))
        samples.append(s)
    return views, samples


def test_zero_at_start_positive_after_a_step():
    torch.manual_seed(0)
    model = tiny_model()
    assert model.weight_reg == pytest.approx(1e-2)  # the method's default λ
    opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
    views, samples = batch()
    losses = model.loss(views, samples)
    assert losses['loss_wreg'].item() == 0.  # the snapshot is the backbone as training starts
    opt.zero_grad()
    sum(losses.values()).backward()
    opt.step()
    after = model.loss(views, samples)['loss_wreg']
    assert after.item() > 0
    # and it is exactly λ Σ (Φ − Φ_pre)²
    expected = 0.
    for name, param in model.backbone.named_parameters():
        expected += ((param - model.backbone_pre.reference(name))**2).sum().item()
    assert after.item() == pytest.approx(1e-2 * expected, rel=1e-5)


def test_gradient_is_two_lambda_times_difference():
    torch.manual_seed(0)
    model = tiny_model(weight_reg=0.05)
    views, samples = batch()
    model.loss(views, samples)  # takes the snapshot
    with torch.no_grad():
        for p in model.backbone.parameters():
            p.add_(torch.randn_like(p) * 0.1)
    model.zero_grad(set_to_none=True)
    model.wreg_losses()['loss_wreg'].backward()
    for name, param in model.backbone.named_parameters():
        expected = 2 * 0.05 * (param.detach() - model.backbone_pre.reference(name))
        assert torch.allclose(param.grad, expected, atol=1e-7), name
    # the regulariser touches the backbone only
    assert model.neck.conv1.weight.grad is None
    assert all(not b.requires_grad for b in model.backbone_pre.buffers())


def test_snapshot_is_the_loaded_starting_checkpoint(tmp_path):
    """The reference is the backbone after init_weights (ImageNet weights), not the random init."""
    torch.manual_seed(0)
    from densessl.registry import MODELS
    source = MODELS.build(dict(BACKBONE))
    with torch.no_grad():
        for p in source.parameters():
            p.fill_(0.5)
    ckpt = tmp_path / 'start.pth'
    torch.save(source.state_dict(), ckpt)
    model = tiny_model()
    model.backbone.init_cfg = dict(type='Pretrained', checkpoint=str(ckpt))
    model.init_weights()
    views, samples = batch()
    assert model.loss(views, samples)['loss_wreg'].item() == 0.
    assert torch.all(model.backbone_pre.reference('conv1.weight') == 0.5)


def test_snapshot_survives_a_checkpoint_round_trip():
    torch.manual_seed(0)
    model = tiny_model()
    views, samples = batch()
    model.loss(views, samples)
    with torch.no_grad():
        model.backbone.conv1.weight.add_(1.)
    state = model.state_dict()
    assert 'backbone_pre.conv1__weight' in state and bool(state['backbone_pre.captured'])
    resumed = tiny_model()
    resumed.load_state_dict(state)
    # a resumed run keeps the original reference instead of re-capturing the current weights
    assert resumed.loss(views, samples)['loss_wreg'].item() > 0


def test_functional_form_and_switch():
    net = torch.nn.Linear(3, 2)
    snap = WeightSnapshot(net)
    snap.capture(net)
    with torch.no_grad():
        net.weight.add_(2.)
    assert weight_regularisation(net, snap, 0.5).item() == pytest.approx(0.5 * 4 * 6)
    model = tiny_model(weight_reg=0.)
    assert model.backbone_pre is None and model.wreg_losses() == {}
    with pytest.raises(ValueError, match='weight_reg'):
        tiny_model(weight_reg=-1.)
