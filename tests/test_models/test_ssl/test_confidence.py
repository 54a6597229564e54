import pytest
import torch

from densessl.models.ssl import ConfidenceMask, FlexMatchMask, class_balanced_weights, confidence_weights


def test_pixel_mode_masks_per_element():
    conf = torch.tensor([[0.99, 0.5], [0.97, 0.96]])
    out = confidence_weights(conf, 0.97, 'pixel')
    assert out.weight.tolist() == [[1.0, 0.0], [1.0, 0.0]]
    assert out.ratio.item() == pytest.approx(0.5)


def test_proportion_mode_weights_every_pixel_by_the_share():
    conf = torch.tensor([[[0.99, 0.5], [0.2, 0.1]], [[0.98, 0.99], [0.3, 0.2]]])  # 3 of 8 confident
    out = confidence_weights(conf, 0.97, 'proportion')
    assert torch.allclose(out.weight, torch.full_like(conf, 3 / 8))
    per_sample = confidence_weights(conf, 0.97, 'proportion', per_sample=True)
    assert torch.allclose(per_sample.weight[0], torch.full((2, 2), 1 / 4))
    assert torch.allclose(per_sample.weight[1], torch.full((2, 2), 2 / 4))


def test_invalid_pixels_never_count():
    conf = torch.tensor([[0.99, 0.99, 0.1, 0.99]])
    valid = torch.tensor([[True, False, True, False]])  # 1 confident of 2 valid
    for mode in ('pixel', 'proportion', 'none'):
        out = confidence_weights(conf, 0.97, mode, valid=valid)
        assert out.ratio.item() == pytest.approx(0.5)
        assert out.weight[~valid].abs().sum() == 0
        assert not out.mask[~valid].any()
    assert confidence_weights(conf, 0.97, 'proportion', valid=valid).weight.tolist() == [[0.5, 0, 0.5, 0]]
    nothing = confidence_weights(conf, 0.97, 'proportion', valid=torch.zeros_like(valid))
    assert nothing.ratio.item() == 0 and nothing.weight.sum() == 0


def test_nc_and_nc11_identical():
    torch.manual_seed(0)
    probs = torch.softmax(torch.randn(8, 4) * 3, 1)
    conf, labels = probs.max(1)
    conf4, labels4 = probs[..., None, None].max(1)
    for mode in ('pixel', 'proportion'):
        a = ConfidenceMask(0.7, mode)(conf)
        b = ConfidenceMask(0.7, mode)(conf4)
        assert torch.equal(a.weight, b.weight.view(8)) and torch.equal(a.ratio, b.ratio)
    fa, fb = FlexMatchMask(4, 0.7, num_samples=20), FlexMatchMask(4, 0.7, num_samples=20)
    idx = torch.arange(8)
    for _ in range(2):
        a, b = fa(conf, labels, indices=idx), fb(conf4, labels4, indices=idx)
        assert torch.equal(a.mask, b.mask.view(8))
    assert torch.equal(fa.selected_label, fb.selected_label)
    fc, fd = FlexMatchMask(4, 0.7, memory='count'), FlexMatchMask(4, 0.7, memory='count')
    for _ in range(2):
        assert torch.equal(fc(conf, labels).mask, fd(conf4, labels4).mask.view(8))


def test_flexmatch_thresholds_follow_the_learning_effect():
    fm = FlexMatchMask(num_classes=3, threshold=0.9, num_samples=10)
    assert fm.class_thresholds().tolist() == [0.0, 0.0, 0.0]
    # first batch: thresholds are all 0, every prediction passes
    conf = torch.tensor([0.95, 0.95, 0.95, 0.95, 0.5])
    labels = torch.tensor([0, 0, 0, 1, 2])
    out = fm(conf, labels, indices=torch.arange(5))
    assert out.mask.all()
    assert fm.selected_label.tolist() == [0, 0, 0, 1, -1, -1, -1, -1, -1, -1]
    # sigma = (3, 1, 0), unused = 6 -> warm-up divides by 6: beta = (1/2, 1/6, 0)
    beta = torch.tensor([0.5, 1 / 6, 0.0])
    assert torch.allclose(fm.learning_effect(), beta)
    assert torch.allclose(fm.class_thresholds(), beta / (2 - beta) * 0.9)
    # class 0 (well learnt) now needs 0.3, class 2 (never confident) still 0
    out = fm(torch.tensor([0.25, 0.35, 0.01]), torch.tensor([0, 0, 2]), indices=torch.tensor([5, 6, 7]))
    assert out.mask.tolist() == [False, True, True]
    linear = FlexMatchMask(3, 0.9, num_samples=10, mapping='linear', warmup=False)
    linear.selected_label[:4] = torch.tensor([0, 0, 0, 1])
    assert torch.allclose(linear.class_thresholds(), torch.tensor([1.0, 1 / 3, 0.0]) * 0.9)
    fm.eval()
    before = fm.selected_label.clone()
    fm(torch.tensor([0.99]), torch.tensor([2]), indices=torch.tensor([9]))
    assert torch.equal(fm.selected_label, before)  # no update outside training


def test_flexmatch_errors():
    with pytest.raises(ValueError, match='num_samples'):
        FlexMatchMask(3)
    fm = FlexMatchMask(3, num_samples=4)
    with pytest.raises(ValueError, match='indices'):
        fm(torch.ones(2), torch.zeros(2, dtype=torch.long))
    with pytest.raises(ValueError, match="memory='count'"):
        fm(torch.ones(2, 3, 3), torch.zeros(2, 3, 3, dtype=torch.long), indices=torch.arange(2))


def test_bad_arguments():
    with pytest.raises(ValueError, match='mode'):
        ConfidenceMask(0.9, 'soft')
    with pytest.raises(ValueError, match='threshold'):
        ConfidenceMask(1.5)
    with pytest.raises(ValueError, match='valid'):
        confidence_weights(torch.ones(2, 2), 0.5, valid=torch.ones(2, 3, dtype=torch.bool))


def test_class_balance_gives_each_class_the_weight_of_its_predictions():
    # 6 pixels predicted background (4 pass), 3 predicted class 2 (1 passes), 1 padding pixel predicted class 1
    conf = torch.tensor([[0.99, 0.99, 0.99, 0.99, 0.3, 0.3], [0.99, 0.4, 0.2, 0.99, 0.99, 0.99]])
    labels = torch.tensor([[0, 0, 0, 0, 0, 0], [2, 2, 2, 1, 3, 3]])
    valid = torch.ones(2, 6, dtype=torch.bool)
    valid[1, 3] = False
    weights = class_balanced_weights(confidence_weights(conf, 0.95, valid=valid), labels, valid)
    # background: 6 predicted / 4 passed = 1.5 each; class 2: 3 / 1 = 3; class 3: 2 / 2 = 1; padding 0
    expected = torch.tensor([[1.5, 1.5, 1.5, 1.5, 0, 0], [3.0, 0, 0, 0, 1.0, 1.0]])
    assert torch.allclose(weights.weight, expected)
    # every class with a passing pixel keeps its predicted count; the total never exceeds the valid pixels
    assert weights.weight.sum().item() == pytest.approx(6 + 3 + 2)
    assert weights.ratio.item() == pytest.approx(7 / 11)  # the logged share is the plain one


def test_class_balance_in_the_module_and_its_errors():
    conf, labels = torch.tensor([0.99, 0.5, 0.99, 0.99]), torch.tensor([1, 1, 0, 0])
    plain = ConfidenceMask(0.9)(conf, labels)
    balanced = ConfidenceMask(0.9, class_balance=True)(conf, labels)
    assert torch.equal(plain.mask, balanced.mask)
    assert balanced.weight.tolist() == [2.0, 0.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="needs mode='pixel'"):
        ConfidenceMask(0.9, 'proportion', class_balance=True)
    with pytest.raises(ValueError, match='needs the pseudo-labels'):
        ConfidenceMask(0.9, class_balance=True)(conf)
    # ignore-labelled pixels (255) are outside every class and weigh 0
    out = ConfidenceMask(0.9, class_balance=True)(torch.tensor([0.99, 0.99]), torch.tensor([0, 255]),
                                                  torch.tensor([True, True]))
    assert out.weight.tolist() == [1.0, 0.0]
