import math

import pytest
import torch
import torch.nn.functional as F

from densessl.models.ssl import (ConsistencyLoss, EntropyLoss, cross_entropy, entropy, kl_divergence,
                                 mse_consistency)


def test_hard_ce_ignores_pixels_in_sum_and_count():
    logits = torch.tensor([[[[2.0, 0.0, 5.0]], [[0.0, 1.0, -5.0]]]])  # (1, 2, 1, 3)
    target = torch.tensor([[[0, 1, 255]]])
    expected = (F.cross_entropy(logits[..., 0], torch.tensor([[0]])) +
                F.cross_entropy(logits[..., 1], torch.tensor([[1]]))) / 2
    assert torch.allclose(cross_entropy(logits, target), expected)
    # changing the logits of the ignored pixel changes nothing, including the gradient there
    logits2 = logits.clone().requires_grad_(True)
    with torch.no_grad():
        logits2[..., 2] = torch.tensor([[-100.0], [100.0]])
    loss = cross_entropy(logits2, target)
    assert torch.allclose(loss, expected)
    loss.backward()
    assert logits2.grad[..., 2].abs().sum() == 0
    assert torch.equal(cross_entropy(logits, torch.full_like(target, 255)), torch.tensor(0.0))


def test_weights_and_reductions():
    logits = torch.zeros(1, 2, 1, 4)
    target = torch.tensor([[[0, 1, 0, 255]]])
    weight = torch.tensor([[[1.0, 0.5, 0.0, 1.0]]])
    ln2 = math.log(2)
    assert cross_entropy(logits, target, weight).item() == pytest.approx(1.5 * ln2 / 3)  # / valid count
    assert cross_entropy(logits, target, weight, reduction='weighted_mean').item() == pytest.approx(ln2)
    assert cross_entropy(logits, target, weight, reduction='sum').item() == pytest.approx(1.5 * ln2)
    none = cross_entropy(logits, target, weight, reduction='none')
    assert none.shape == (1, 1, 4) and none[0, 0, 3] == 0
    valid = torch.tensor([[[True, True, False, True]]])
    assert cross_entropy(logits, target, valid=valid).item() == pytest.approx(ln2)


def test_soft_ce_equals_hard_ce_on_one_hot():
    torch.manual_seed(0)
    logits = torch.randn(2, 4, 3, 3)
    target = torch.randint(0, 4, (2, 3, 3))
    onehot = F.one_hot(target, 4).permute(0, 3, 1, 2).float()
    assert torch.allclose(cross_entropy(logits, onehot), cross_entropy(logits, target))


def test_kl_mse_entropy_values():
    logits = torch.log(torch.tensor([[0.75, 0.25]]))
    target = torch.tensor([[0.5, 0.5]])
    kl = 0.5 * math.log(0.5 / 0.75) + 0.5 * math.log(0.5 / 0.25)
    assert kl_divergence(logits, target).item() == pytest.approx(kl, abs=1e-6)
    assert kl_divergence(logits, torch.tensor([[1.0, 0.0]])).item() == pytest.approx(-math.log(0.75), abs=1e-6)
    assert mse_consistency(logits, target).item() == pytest.approx(2 * 0.25**2)
    assert entropy(logits).item() == pytest.approx(-(0.75 * math.log(0.75) + 0.25 * math.log(0.25)), abs=1e-6)


def test_nc_and_nc11_identical():
    torch.manual_seed(0)
    logits = torch.randn(6, 5)
    probs = torch.softmax(torch.randn(6, 5), 1)
    labels = torch.randint(0, 5, (6,))
    labels[0] = 255
    weight = torch.rand(6)
    l4, p4, y4, w4 = logits[..., None, None], probs[..., None, None], labels[..., None, None], weight[..., None, None]
    for t in ('ce', 'kl', 'mse'):
        loss = ConsistencyLoss(t)
        tgt, tgt4 = (labels, y4) if t == 'ce' else (probs, p4)
        assert torch.allclose(loss(logits, tgt, weight), loss(l4, tgt4, w4))
    assert torch.allclose(EntropyLoss()(logits, weight), EntropyLoss()(l4, w4))


def test_module_checks():
    with pytest.raises(ValueError, match='loss_type'):
        ConsistencyLoss('l1')
    with pytest.raises(TypeError, match='probability targets'):
        ConsistencyLoss('mse')(torch.zeros(1, 2, 2, 2), torch.zeros(1, 2, 2, dtype=torch.long))
    with pytest.raises(ValueError, match='hard targets'):
        cross_entropy(torch.zeros(1, 2, 2, 2), torch.zeros(1, 3, 3, dtype=torch.long))
    assert ConsistencyLoss('ce', loss_weight=2.0)(torch.zeros(1, 2), torch.tensor([0])).item() == \
        pytest.approx(2 * math.log(2))
