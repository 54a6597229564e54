"""BYOL and MoCo v2 target pretraining: mmpretrain's algorithms + affine + weight regulariser."""
import pytest
import torch
from mmengine.logging import MessageHub
from mmengine.model import ExponentialMovingAverage
from mmengine.registry import DefaultScope
from mmpretrain.models.heads import LatentPredictHead
from mmpretrain.models.necks import NonLinearNeck
from mmpretrain.models.selfsup import BYOL as MMPretrainBYOL
from mmpretrain.models.selfsup import MoCo as MMPretrainMoCo
from mmpretrain.models.utils import CosineEMA
from mmpretrain.structures import DataSample


@pytest.fixture(autouse=True)
def densessl_scope():
    import mmpretrain.models  # noqa: F401
    import mmseg.models  # noqa: F401
    import densessl.models  # noqa: F401
    if DefaultScope.check_instance_created('test_byol_mocov2'):
        DefaultScope.get_instance('test_byol_mocov2')
    else:
        DefaultScope.get_instance('test_byol_mocov2', scope_name='densessl')
    MessageHub.get_current_instance().update_info('max_iters', 10)


BACKBONE = dict(type='ResNet', depth=18, stem_channels=8, base_channels=8, out_indices=(3, ),
                norm_cfg=dict(type='BN'))


def build(cfg):
    from densessl.registry import MODELS
    model = MODELS.build(cfg)
    model.train()
    return model


def byol_cfg(**kwargs):
    cfg = dict(
        type='BYOL',
        backbone=BACKBONE,
        neck=dict(type='mmpretrain.NonLinearNeck', in_channels=64, hid_channels=32, out_channels=16, num_layers=2,
                  with_avg_pool=True),
        head=dict(type='mmpretrain.LatentPredictHead',
                  predictor=dict(type='mmpretrain.NonLinearNeck', in_channels=16, hid_channels=32, out_channels=16,
                                 num_layers=2, with_avg_pool=False),
                  loss=dict(type='mmpretrain.CosineSimilarityLoss')),
        data_preprocessor=dict(type='mmpretrain.SelfSupDataPreprocessor', mean=[0., 0., 0.], std=[1., 1., 1.]))
    cfg.update(kwargs)
    return cfg


def grads_ok(model, views, loss, target_prefix):
    """Gradients reach the given views (through the affine) and the online backbone, never the target net."""
    model.zero_grad(set_to_none=True)
    loss.backward()
    assert all(v.grad is not None and v.grad.abs().sum() > 0 for v in views)
    named = dict(model.named_parameters())
    assert named['backbone.conv1.weight'].grad.abs().sum() > 0
    target = {n: p for n, p in named.items() if n.startswith(target_prefix)}
    assert target and all(p.grad is None and not p.requires_grad for p in target.values())


def test_byol_reuses_mmpretrain_and_adds_switches():
    torch.manual_seed(0)
    model = build(byol_cfg(affine=dict(type='DifferentiableAffine', p=1.)))
    assert isinstance(model, MMPretrainBYOL)
    assert isinstance(model.neck, NonLinearNeck) and isinstance(model.head, LatentPredictHead)
    assert isinstance(model.target_net, CosineEMA)
    assert model.target_net.momentum == pytest.approx(0.01)  # MMEngine convention: teacher weight 0.99
    views = [torch.randn(4, 3, 32, 32, requires_grad=True) for _ in range(2)]
    losses = model.loss(views, [DataSample() for _ in range(4)])
    assert set(losses) == {'loss_byol', 'loss_wreg'} and losses['loss_wreg'].item() == 0
    assert -4. <= losses['loss_byol'].item() <= 4.  # 2 (l12 + l21), each a negative cosine
    grads_ok(model, views, losses['loss_byol'], 'target_net.')
    # the forward of mmpretrain's BYOL is unchanged when both switches are off
    torch.manual_seed(1)
    plain = build(byol_cfg(affine=None, weight_reg=0.))
    reference = MMPretrainBYOL(**{k: v for k, v in byol_cfg().items() if k != 'type'})
    reference.load_state_dict(plain.state_dict())
    reference.train()
    x = [torch.randn(4, 3, 32, 32), torch.randn(4, 3, 32, 32)]
    assert torch.allclose(plain.loss(x, None)['loss_byol'], reference.loss(x, None)['loss'], atol=1e-6)


def test_mocov2_reuses_mmpretrain_and_adds_switches():
    torch.manual_seed(0)
    cfg = dict(
        type='MoCoV2',
        backbone=BACKBONE,
        neck=dict(type='mmpretrain.MoCoV2Neck', in_channels=64, hid_channels=32, out_channels=16,
                  with_avg_pool=True),
        head=dict(type='mmpretrain.ContrastiveHead', loss=dict(type='mmpretrain.CrossEntropyLoss'), temperature=0.2),
        queue_len=16, feat_dim=16, data_preprocessor=dict(mean=[0., 0., 0.], std=[1., 1., 1.]))
    model = build(cfg)
    assert isinstance(model, MMPretrainMoCo) and isinstance(model.encoder_k, ExponentialMovingAverage)
    assert model.encoder_k.momentum == pytest.approx(0.001)  # MoCo's m = 0.999 teacher weight
    views = [torch.randn(4, 3, 32, 32, requires_grad=True) for _ in range(2)]
    losses = model.loss(views, [DataSample() for _ in range(4)])
    assert set(losses) == {'loss_moco', 'loss_wreg'}
    assert losses['loss_moco'].item() > 0  # InfoNCE over 1 positive + 16 queued negatives
    assert int(model.queue_ptr) == 4  # mmpretrain's queue update ran
    grads_ok(model, views[:1], losses['loss_moco'], 'encoder_k.')  # the key view feeds the key encoder only
    assert views[1].grad is None
    model.set_teacher_weight(0.99)
    assert model.encoder_k.momentum == pytest.approx(0.01)
