"""GrayPhotometricAug: one-channel strong view for medical slices."""
import numpy as np
import pytest

from densessl.datasets.transforms.gray_aug import GrayPhotometricAug


def _img(dtype=np.float32):
    rng = np.random.default_rng(0)
    img = rng.random((32, 32)).astype(np.float32)
    return img if dtype == np.float32 else (img * 255).astype(np.uint8)


@pytest.mark.parametrize('shape', [(32, 32), (32, 32, 1)])
def test_keeps_shape_dtype_and_range_of_float_images(shape):
    t = GrayPhotometricAug(transforms=[dict(type='ColorJitter', brightness=0.5, contrast=0.5, p=1.0)])
    img = _img().reshape(shape)
    np.random.seed(1)
    out = t({'img': img.copy()})['img']
    assert out.shape == shape and out.dtype == np.float32
    assert 0 <= out.min() and out.max() <= 1 and not np.allclose(out, img)


def test_uint8_images_and_seeded_reproducibility():
    t = GrayPhotometricAug()
    outs = []
    for _ in range(2):
        np.random.seed(3)
        outs.append(t({'img': _img(np.uint8)})['img'])
    assert outs[0].dtype == np.uint8 and (outs[0] == outs[1]).all()


def test_blur_smooths():
    t = GrayPhotometricAug(transforms=[dict(type='GaussianBlur', blur_limit=(7, 7), sigma_limit=(2.0, 2.0), p=1.0)])
    img = _img()
    out = t({'img': img.copy()})['img']
    assert out.std() < 0.5 * img.std()  # i.i.d. noise loses most of its variance


def test_rejects_colour_images_and_geometric_transforms():
    with pytest.raises(ValueError, match='one-channel'):
        GrayPhotometricAug()({'img': np.zeros((4, 4, 3), np.uint8)})
    with pytest.raises(ValueError, match=r'values in \[-1e\+03, 400\] for ct.h5; it expects \[0, 1\]'):
        GrayPhotometricAug()({'img': np.array([[-1000., 400.]], np.float32), 'img_path': 'ct.h5'})
    with pytest.raises(ValueError, match='not a photometric'):
        GrayPhotometricAug(transforms=[dict(type='HorizontalFlip', p=1.0)])
