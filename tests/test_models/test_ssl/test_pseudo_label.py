import pytest
import torch

from densessl.models.ssl import PseudoLabeler, fuse_prior, pseudo_label, sharpen


def test_hard_soft_sharpen_targets():
    logits = torch.tensor([[2.0, 1.0, 0.0]])
    probs = torch.softmax(logits, 1)
    hard = pseudo_label(logits, 'hard')
    assert hard.labels.tolist() == [0]
    assert torch.equal(hard.probs, torch.tensor([[1.0, 0.0, 0.0]]))
    assert torch.allclose(hard.confidence, probs.max(1).values)
    soft = pseudo_label(logits, 'soft')
    assert torch.allclose(soft.probs, probs)
    sharp = pseudo_label(logits, 'sharpen', sharpen_temperature=0.5)
    expected = probs**2 / (probs**2).sum(1, keepdim=True)
    assert torch.allclose(sharp.probs, expected)
    assert sharp.probs[0, 0] > soft.probs[0, 0]  # sharpening moves mass to the argmax
    # the confidence is that of the unsharpened distribution
    assert torch.allclose(sharp.confidence, soft.confidence)


def test_temperature_and_no_gradient():
    logits = torch.tensor([[1.0, 0.0]], requires_grad=True)
    out = pseudo_label(logits, 'soft', temperature=0.5)
    assert torch.allclose(out.probs, torch.softmax(torch.tensor([[2.0, 0.0]]), 1))
    assert not out.probs.requires_grad and not out.confidence.requires_grad


def test_prior_fusion_add_and_mul():
    probs = torch.tensor([[0.6, 0.4]])
    assert torch.allclose(fuse_prior(probs, torch.tensor([0.0, 1.0]), 'add'), torch.tensor([[0.3, 0.7]]))
    assert torch.allclose(fuse_prior(probs, torch.tensor([1.0, 3.0]), 'mul'), torch.tensor([[0.6, 1.2]]) / 1.8)
    # the prior flips the argmax
    out = pseudo_label(torch.log(probs), 'hard', prior=torch.tensor([0.0, 1.0]))
    assert out.labels.tolist() == [1] and torch.allclose(out.confidence, torch.tensor([0.7]))
    # per-pixel prior (N, C, H, W)
    logits = torch.zeros(1, 2, 2, 2)
    prior = torch.zeros(1, 2, 2, 2)
    prior[:, 1, 0, 0] = 1.0
    assert pseudo_label(logits, prior=prior).labels[0].tolist() == [[1, 0], [0, 0]]
    with pytest.raises(ValueError, match='classes'):
        fuse_prior(probs, torch.ones(3))
    with pytest.raises(ValueError, match='non-negative'):
        fuse_prior(probs, torch.tensor([-1.0, 1.0]))


def test_module_prior_set_and_drop():
    labeler = PseudoLabeler(mode='hard', prior=[0.0, 5.0])
    logits = torch.tensor([[1.0, 0.0]])
    assert labeler(logits).labels.tolist() == [1]
    labeler.set_prior(None)
    assert labeler(logits).labels.tolist() == [0]
    assert 'prior' not in labeler.state_dict()


def test_nc_and_nc11_identical():
    torch.manual_seed(0)
    logits = torch.randn(6, 5)
    prior = torch.rand(5)
    for mode in ('hard', 'soft', 'sharpen'):
        a = pseudo_label(logits, mode, prior=prior)
        b = pseudo_label(logits[..., None, None], mode, prior=prior)
        assert torch.equal(a.labels, b.labels.view(6))
        assert torch.allclose(a.probs, b.probs.view(6, 5))
        assert torch.allclose(a.confidence, b.confidence.view(6))


def test_bad_inputs():
    with pytest.raises(ValueError, match='class axis'):
        pseudo_label(torch.zeros(3))
    with pytest.raises(ValueError, match='mode'):
        pseudo_label(torch.zeros(2, 3), mode='argmax')
    with pytest.raises(ValueError, match='temperature'):
        sharpen(torch.ones(1, 2) / 2, 0)
