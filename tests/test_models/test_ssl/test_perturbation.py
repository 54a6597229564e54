"""Feature dropout (UniMatch's feature perturbation) and the virtual adversarial perturbation (VAT): the
power-iteration direction on a hand-computable linear model."""
import pytest
import torch
import torch.nn as nn

from densessl.models.ssl import FeatureDropout, feature_dropout, kl_divergence, l2_normalize, vat_perturbation


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


def _kl(lin, x, r):
    return kl_divergence(lin(x + r), torch.softmax(lin(x), dim=1), reduction='none')


def test_vat_direction_is_the_top_eigenvector_and_increases_kl():
    torch.manual_seed(0)
    lin = nn.Linear(5, 4, bias=True).double()
    x = torch.randn(3, 5, dtype=torch.float64)
    eps = 0.5
    r_adv = vat_perturbation(lin, x, lin(x), xi=1e-4, eps=eps, power_iters=30)
    assert torch.allclose(r_adv.norm(dim=1), torch.full((3, ), eps, dtype=torch.float64))
    # second-order expansion: KL(p || p(x + r)) ~ r^T H r / 2 with H = W^T (diag(p) - p p^T) W
    W = lin.weight.detach()
    p = torch.softmax(lin(x), dim=1).detach()
    for i in range(3):
        H = W.T @ (torch.diag(p[i]) - torch.outer(p[i], p[i])) @ W
        top = torch.linalg.eigh(H).eigenvectors[:, -1]
        cos = torch.dot(top, r_adv[i] / eps).abs()
        assert cos > 0.999, cos
    kl_adv = _kl(lin, x, r_adv)
    for _ in range(50):  # every random direction of the same norm changes the prediction less
        r = eps * l2_normalize(torch.randn_like(x))
        assert (_kl(lin, x, r) < kl_adv).all()
    assert (kl_adv > 0).all()


def test_one_power_iteration_already_beats_random_directions_on_average():
    torch.manual_seed(1)
    lin = nn.Linear(20, 10).double()
    x = torch.randn(64, 20, dtype=torch.float64)
    r_adv = vat_perturbation(lin, x, lin(x), xi=1e-6, eps=1.0, power_iters=1)
    r_rand = l2_normalize(torch.randn_like(x))
    assert _kl(lin, x, r_adv).mean() > 3 * _kl(lin, x, r_rand).mean()
    with pytest.raises(ValueError, match='power_iters'):
        vat_perturbation(lin, x, lin(x), power_iters=0)


def test_l2_normalize_per_sample_and_zero_safe():
    d = torch.tensor([[[3., 0.], [0., 4.]], [[0., 0.], [0., 0.]]])
    out = l2_normalize(d)
    assert torch.allclose(out[0], d[0] / 5) and torch.equal(out[1], torch.zeros(2, 2))
