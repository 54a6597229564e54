"""Feature dropout (UniMatch's feature perturbation)."""
import pytest
import torch

from densessl.models.ssl import FeatureDropout, feature_dropout


def test_whole_channels_dropped_and_the_rest_scaled():
    torch.manual_seed(0)
    x = torch.rand(4, 64, 3, 3) + 0.5
    out = feature_dropout(x, p=0.5)
    per_channel = out.flatten(2)
    dropped = (per_channel == 0).all(2)
    kept = ~dropped
    assert torch.allclose(out[kept], 2 * x[kept])  # 1 / (1 - p)
    assert 0.3 < dropped.float().mean().item() < 0.7
    assert ((per_channel == 0).any(2) == dropped).all()  # never part of a channel


def test_list_input_and_active_in_eval_mode():
    torch.manual_seed(0)
    module = FeatureDropout(0.5).eval()
    outs = module([torch.ones(2, 32, 4, 4), torch.ones(2, 16, 2, 2)])
    assert [o.shape for o in outs] == [torch.Size([2, 32, 4, 4]), torch.Size([2, 16, 2, 2])]
    assert any((o == 0).any() for o in outs)  # the perturbation is not switched off by eval()


def test_gradient_flows_through_kept_channels_only():
    x = torch.rand(1, 6, 2, 2, dtype=torch.float64, requires_grad=True)

    def f(t):
        torch.manual_seed(3)
        return feature_dropout(t, p=0.5)

    assert torch.autograd.gradcheck(f, (x, ))
    f(x).sum().backward()
    kept = f(x.detach()).flatten(2).abs().sum(2) > 0
    assert torch.allclose(x.grad.flatten(2)[kept], torch.full_like(x.grad.flatten(2)[kept], 2.0))
    assert (x.grad.flatten(2)[~kept] == 0).all()


def test_bad_probability():
    with pytest.raises(ValueError, match='p must be in'):
        FeatureDropout(1.0)
