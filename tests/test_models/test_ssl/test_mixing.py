import pytest
import torch

from densessl.models.ssl import (ClassMixMask, CutMixMask, classmix_masks, cutmix_box_masks, mix_batch,
                                 partner_permutation)


def _box_of(mask2d):
    ys, xs = torch.nonzero(mask2d, as_tuple=True)
    return ys.min().item(), ys.max().item(), xs.min().item(), xs.max().item()


def test_cutmix_masks_are_one_box_of_the_requested_area():
    g = torch.Generator().manual_seed(0)
    masks = cutmix_box_masks(64, (40, 60), area=0.5, generator=g)
    assert masks.shape == (64, 1, 40, 60)
    assert set(masks.unique().tolist()) <= {0.0, 1.0}
    for m in masks[:, 0]:
        y0, y1, x0, x1 = _box_of(m)
        # exactly a filled rectangle
        assert m.sum().item() == (y1 - y0 + 1) * (x1 - x0 + 1)
        # area share 0.5 up to the rounding of each side
        assert abs(m.mean().item() - 0.5) < 0.06
    # random aspect ratio: heights vary
    heights = {(_box_of(m)[1] - _box_of(m)[0]) for m in masks[:, 0]}
    assert len(heights) > 5


def test_cutmix_area_range_and_fixed_aspect():
    g = torch.Generator().manual_seed(1)
    masks = cutmix_box_masks(200, (32, 32), area=(0.1, 0.4), random_aspect_ratio=False, generator=g)
    shares = masks.flatten(1).mean(1)
    assert shares.min() > 0.05 and shares.max() < 0.45
    assert shares.std() > 0.05
    for m in masks[:8, 0]:
        y0, y1, x0, x1 = _box_of(m)
        assert y1 - y0 == x1 - x0  # square boxes
    with pytest.raises(ValueError, match='area'):
        cutmix_box_masks(1, (8, 8), area=1.5)


def test_cutmix_is_reproducible_from_the_generator():
    a = cutmix_box_masks(4, (16, 16), generator=torch.Generator().manual_seed(3))
    b = cutmix_box_masks(4, (16, 16), generator=torch.Generator().manual_seed(3))
    assert torch.equal(a, b)


def test_classmix_selects_half_of_the_present_classes():
    g = torch.Generator().manual_seed(0)
    labels = torch.zeros(50, 8, 8, dtype=torch.long)
    labels[:, :, 2:4] = 3
    labels[:, :, 4:6] = 5
    labels[:, :, 6:] = 255  # ignored pixels are never selected
    masks = classmix_masks(labels, generator=g)
    assert masks.shape == (50, 1, 8, 8)
    seen = set()
    for lab, m in zip(labels, masks[:, 0].bool()):
        chosen = set(lab[m].unique().tolist())
        assert 255 not in chosen
        assert len(chosen) == 2  # ceil(3 / 2) of the classes {0, 3, 5}
        # the mask is exactly the union of the chosen classes
        assert torch.equal(m, torch.isin(lab, torch.tensor(sorted(chosen))))
        seen.add(tuple(sorted(chosen)))
    assert len(seen) == 3  # every pair of classes gets drawn
    single = classmix_masks(torch.full((1, 4, 4), 2))
    assert single.sum() == 16  # ceil(1 / 2) = 1: the only class


def test_mix_batch_mixes_images_and_targets_consistently():
    """The mixed image and the mixed label come from the same source at every pixel."""
    torch.manual_seed(0)
    n, h, w = 4, 12, 12
    labels = torch.randint(0, 3, (n, h, w))
    labels[0, 0, :] = 255
    # an image whose pixels encode (sample, label): exactly recoverable after mixing
    ids = torch.arange(n).view(n, 1, 1).expand(n, h, w)
    img = torch.stack([ids.float(), labels.float(), torch.rand(n, h, w)], 1)
    probs = torch.softmax(torch.randn(n, 3, h, w), 1)
    for masks in (cutmix_box_masks(n, (h, w)), classmix_masks(labels)):
        perm = partner_permutation(n)
        m_img = mix_batch(masks, img, perm)
        m_lab = mix_batch(masks, labels, perm)
        m_probs = mix_batch(masks, probs, perm)
        assert m_lab.dtype == torch.long
        assert torch.equal(m_img[:, 1].long(), m_lab)
        src = torch.where(masks[:, 0].bool(), ids, perm.view(n, 1, 1).expand(n, h, w))
        assert torch.equal(m_img[:, 0].long(), src)
        expect = torch.where(masks.bool(), probs, probs[perm])
        assert torch.equal(m_probs, expect)
        assert (m_lab == 255).sum() == ((src == 0) & (labels[0] == 255)).sum()


def test_partner_permutation():
    assert partner_permutation(4).tolist() == [1, 2, 3, 0]
    p = partner_permutation(10, 'random', generator=torch.Generator().manual_seed(0))
    assert sorted(p.tolist()) == list(range(10))
    with pytest.raises(ValueError):
        partner_permutation(3, 'shuffle')


def test_per_sample_targets_mix_by_area_nc_equals_nc11():
    torch.manual_seed(0)
    masks = cutmix_box_masks(5, (10, 10), area=(0.2, 0.8))
    perm = partner_permutation(5)
    t = torch.softmax(torch.randn(5, 7), 1)
    a = mix_batch(masks, t, perm)
    b = mix_batch(masks, t[..., None, None], perm)
    assert torch.allclose(a, b.view(5, 7))
    lam = masks.flatten(1).mean(1, keepdim=True)
    assert torch.allclose(a, lam * t + (1 - lam) * t[perm])
    with pytest.raises(TypeError, match='floating'):
        mix_batch(masks, torch.zeros(5, dtype=torch.long), perm)
    with pytest.raises(ValueError, match='spatial'):
        mix_batch(masks, torch.zeros(5, 3, 4, 4), perm)


def test_modules_use_labels_shape_and_classes():
    labels = torch.zeros(2, 6, 6, dtype=torch.long)
    labels[:, :3] = 1
    assert CutMixMask(area=0.25, random_aspect_ratio=False)(labels).sum((1, 2, 3)).tolist() == [9.0, 9.0]
    m = ClassMixMask()(labels)
    assert all(mm.sum().item() in (18.0,) for mm in m)


def test_cutmix_mask_unimatch_form_box_shows_the_partner_with_probability():
    from densessl.models.ssl import CutMixMask
    torch.manual_seed(0)
    labels = torch.zeros(400, 40, 40, dtype=torch.long)
    masks = CutMixMask(area=(0.02, 0.4), aspect_ratio=(0.3, 1 / 0.3), prob=0.5, box_from='partner')(labels)
    partner_share = 1.0 - masks.flatten(1).mean(1)
    mixed = partner_share > 0
    assert 0.4 < mixed.float().mean().item() < 0.6  # a box with probability 0.5, else the sample is not mixed
    assert partner_share[mixed].min() >= 0.01 and partner_share[mixed].max() <= 0.42  # 2-40 % (rounding)
    for m in masks[mixed][:20, 0]:  # the partner's region is one axis-aligned box
        rows, cols = (m == 0).any(1).nonzero(), (m == 0).any(0).nonzero()
        box = m[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
        assert (box == 0).all()
        h, w = box.shape
        assert 0.3 * 0.8 <= h / w <= (1 / 0.3) * 1.25 or min(h, w) <= 2


def test_cutmix_mask_french_form_unchanged_and_bad_arguments():
    from densessl.models.ssl import CutMixMask
    torch.manual_seed(1)
    m = CutMixMask(area=0.25, random_aspect_ratio=False)(torch.zeros(2, 8, 8, dtype=torch.long))
    assert m.sum((1, 2, 3)).tolist() == [16.0, 16.0]  # the source fills the box
    with pytest.raises(ValueError, match='box_from'):
        CutMixMask(box_from='both')
    with pytest.raises(ValueError, match='prob'):
        CutMixMask(prob=1.5)


def test_partner_shift_gives_each_view_other_partners():
    for shift in (1, 2, 3):
        perm = partner_permutation(4, shift=shift)
        assert sorted(perm.tolist()) == [0, 1, 2, 3] and all(perm[i] == (i + shift) % 4 for i in range(4))
