"""Differentiable affine augmentation and inverse warp (densessl.models.augment)."""
import pytest
import torch
import torch.nn as nn

from densessl.models.augment import (DifferentiableAffine, affine_valid_mask, affine_warp, inverse_affine_warp,
                                     random_affine_matrix, rescale_affine_matrix)


def smooth_images(batch=4, size=32):
    """Low-frequency images: bilinear resampling of them is nearly exact."""
    ys, xs = torch.meshgrid(torch.arange(size).float(), torch.arange(size).float(), indexing='ij')
    img = torch.stack([torch.sin(xs / 6) + torch.cos(ys / 8), torch.cos(xs / 7 + ys / 9), torch.sin((xs - ys) / 10)])
    return img[None].repeat(batch, 1, 1, 1)


def interior(mask, border):
    inner = torch.zeros_like(mask)
    inner[..., border:-border, border:-border] = True
    return mask & inner


def test_components_switched_by_p():
    eye = torch.eye(3).expand(8, 3, 3)
    assert torch.equal(random_affine_matrix(8, (32, 32), p=0.), eye)
    torch.manual_seed(0)
    m = random_affine_matrix(64, (32, 32), p=1.)
    assert m.shape == (64, 3, 3)
    assert torch.equal(m[:, 2], torch.tensor([0., 0., 1.]).expand(64, 3))
    # with p=1 every sample has a translation and a non-identity linear part
    assert (m[:, :2, 2].abs().sum(1) > 0).all()
    assert ((m[:, :2, :2] - torch.eye(2)).abs().sum((1, 2)) > 1e-4).all()
    # with p=0.5 some samples keep the identity for a component: about 1/16 are the identity overall
    torch.manual_seed(1)
    m = random_affine_matrix(4000, (32, 32), p=0.5)
    frac_identity = (m - torch.eye(3)).abs().sum((1, 2)).lt(1e-7).float().mean().item()
    assert 0.04 < frac_identity < 0.09
    frac_translated = (m[:, :2, 2].abs().sum(1) > 0).float().mean().item()
    assert frac_translated > 0.45  # translation on in half the samples; rotation/scale about the centre add more


def test_warp_moves_content_as_the_matrix_says():
    x = torch.zeros(1, 1, 6, 6)
    x[0, 0, 1, 1] = 1.
    shift = torch.tensor([[[1., 0., 2.], [0., 1., 3.], [0., 0., 1.]]])
    out = affine_warp(x, shift)
    # out(M p) = x(p): the pixel (x=1, y=1) moves to (x=3, y=4)
    assert out[0, 0, 4, 3] == pytest.approx(1., abs=1e-5) and out.sum() == pytest.approx(1., abs=1e-5)
    back, valid = inverse_affine_warp(out, shift)
    assert torch.allclose(back, x, atol=1e-5)
    assert valid[0, 0, :3, :4].all() and not valid[0, 0, 3:].any() and not valid[0, 0, :, 4:].any()


def test_inverse_warp_identity_inside_valid_mask():
    torch.manual_seed(0)
    x = smooth_images()
    for _ in range(3):
        m = random_affine_matrix(4, (32, 32), p=1.)
        back, valid = inverse_affine_warp(affine_warp(x, m), m, margin=1)
        check = interior(valid, 1)  # the un-warped frame's own border also saw padding through t
        assert check.float().mean() > 0.4
        err = ((back - x).abs() * check).amax()
        assert err < 0.06, err
        # outside the valid mask the read-back is zero (it came from padding)
        assert (back * ~valid).abs().max() == 0


def test_conv_features_equivariant_at_interior_pixels():
    torch.manual_seed(0)
    x = smooth_images(size=48)
    net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 3, padding=1))
    with torch.no_grad():
        ref = net(x)
        # a generic 3x3 conv commutes with (sub-pixel) translations
        m = torch.eye(3).repeat(4, 1, 1)
        m[:, :2, 2] = torch.rand(4, 2) * 8 - 4
        back, valid = inverse_affine_warp(net(affine_warp(x, m)), m, margin=3)
        check = interior(valid, 3)
        assert check.float().mean() > 0.5
        assert ((back - ref).abs() * check).amax() < 0.03  # features ~0.14 on average
        # stride-4 features under full affine (rotation, scale, shear, translation): matrix rescaled
        net4 = nn.Sequential(nn.Conv2d(3, 8, 1), nn.ReLU(), nn.AvgPool2d(4))
        ref4 = net4(x)
        m = random_affine_matrix(4, (48, 48), p=1.)
        feat = net4(affine_warp(x, m))
        back, valid = inverse_affine_warp(feat, m, image_size=(48, 48), margin=1)
        check = interior(valid, 1)
        err = ((back - ref4).abs() * check).amax()
        assert check.float().mean() > 0.3
        assert err < 0.1, err
        # without rescaling the matrix to the feature grid the maps do not line up
        wrong, wrong_valid = inverse_affine_warp(feat, m, margin=1)
        assert ((wrong - ref4).abs() * (check & wrong_valid)).amax() > 5 * err


def test_rescale_matrix():
    m = random_affine_matrix(3, (32, 32), p=1.)
    small = rescale_affine_matrix(m, (32, 32), (8, 8))
    assert torch.allclose(small[:, :2, :2], m[:, :2, :2], atol=1e-6)  # linear part unchanged
    assert torch.allclose(rescale_affine_matrix(small, (8, 8), (32, 32)), m, atol=1e-4)
    # a point maps consistently: image pixel centre of feature pixel (i + 0.5) * 4 - 0.5
    p_feat = torch.tensor([2., 5., 1.])
    to_img = torch.tensor([[4., 0., 1.5], [0., 4., 1.5], [0., 0., 1.]])
    assert torch.allclose(to_img @ (small[0] @ p_feat), m[0] @ (to_img @ p_feat), atol=1e-4)


def test_valid_mask_matches_warped_ones():
    torch.manual_seed(3)
    m = random_affine_matrix(4, (24, 24), p=1.)
    ones = torch.ones(4, 1, 24, 24)
    read_back = inverse_affine_warp(affine_warp(ones, torch.eye(3).repeat(4, 1, 1)), m)[0]
    valid = affine_valid_mask(m, (24, 24))
    # where the mask says valid, a bilinear read of an all-ones map returns exactly 1
    assert torch.allclose(read_back[valid], torch.ones(()), atol=1e-5)


def test_gradients_flow_into_the_input():
    torch.manual_seed(0)
    m = random_affine_matrix(2, (6, 7), p=1., dtype=torch.float64)
    x = torch.rand(2, 2, 6, 7, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: affine_warp(t, m), (x, ))
    f = torch.rand(2, 3, 3, 4, dtype=torch.float64, requires_grad=True)
    m_img = random_affine_matrix(2, (12, 16), p=1., dtype=torch.float64)
    assert torch.autograd.gradcheck(lambda t: inverse_affine_warp(t, m_img, image_size=(12, 16))[0], (f, ))
    aug = DifferentiableAffine(p=1.)
    img = torch.rand(2, 3, 16, 16, requires_grad=True)
    out, _ = aug(img)
    out.sum().backward()
    assert img.grad is not None and img.grad.abs().sum() > 0


def test_module():
    aug = DifferentiableAffine(degrees=30, scale=(0.9, 1.1), shear=5, translate=(0.1, 0.2), p=1.)
    x = torch.rand(3, 3, 20, 24)
    y, m = aug(x)
    assert y.shape == x.shape and m.shape == (3, 3, 3)
    # given matrices are used as they are
    y2, m2 = aug(x, m)
    assert torch.equal(m2, m) and torch.allclose(y2, y)
    back, valid = aug.inverse(y, m)
    assert back.shape == x.shape and valid.shape == (3, 1, 20, 24) and valid.dtype == torch.bool
    off = DifferentiableAffine(p=0.)
    same, eye = off(x)
    assert same is x and torch.equal(eye, torch.eye(3).expand(3, 3, 3))
    assert 'p=1.0' in repr(aug)


@pytest.mark.parametrize('kwargs', [dict(p=1.5), dict(scale=(1.2, 0.8)), dict(scale=(0., 1.)), dict(degrees=-1)])
def test_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        DifferentiableAffine(**kwargs)


def test_bad_shapes():
    with pytest.raises(ValueError, match='shape'):
        affine_warp(torch.rand(3, 8, 8), torch.eye(3)[None])
    with pytest.raises(ValueError, match='batch'):
        affine_warp(torch.rand(2, 3, 8, 8), torch.eye(3)[None])
    with pytest.raises(ValueError, match=r'\(B, 3, 3\)'):
        inverse_affine_warp(torch.rand(1, 3, 8, 8), torch.eye(2, 3)[None])
