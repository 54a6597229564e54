"""Classification views: grey-to-RGB and FixMatch's RandAugment + Cutout (from mmpretrain's operations)."""
import numpy as np
import pytest
from mmcv.transforms import Compose

from densessl.datasets.transforms.cls_views import FIXMATCH_RANDAUG_POLICIES, FixMatchRandAugment, GrayToRGB
from densessl.utils import register_all_modules


@pytest.fixture(autouse=True, scope='module')
def _registry():
    register_all_modules()


def test_gray_to_rgb():
    img = np.arange(12, dtype=np.uint8).reshape(3, 4)
    out = GrayToRGB()({'img': img})
    assert out['img'].shape == (3, 4, 3) and out['img_shape'] == (3, 4)
    for c in range(3):
        np.testing.assert_array_equal(out['img'][..., c], img)
    rgb = np.zeros((2, 2, 3), np.uint8)
    assert GrayToRGB()({'img': rgb})['img'] is rgb
    with pytest.raises(ValueError, match=r'got \(2, 2, 2\)'):
        GrayToRGB()({'img': np.zeros((2, 2, 2), np.uint8)})


def test_cutout_only_fills_one_square_with_pad_val():
    np.random.seed(0)
    img = np.full((28, 28, 3), 200, np.uint8)
    t = FixMatchRandAugment(policies=[dict(type='mmpretrain.Brightness', magnitude_range=(0, 0.9))], op_prob=0.0,
                            cutout_ratio=0.5, pad_val=127)
    sides = []
    for _ in range(30):
        out = t({'img': img.copy()})['img']
        assert out.dtype == np.uint8 and out.shape == img.shape
        cut = np.all(out == 127, axis=2)
        assert np.all((out == 127) | (out == 200))
        rows, cols = np.nonzero(cut)
        if rows.size:
            # one axis-aligned rectangle (clipped at the border), never larger than 0.5 * 28 = 14
            h, w = rows.max() - rows.min() + 1, cols.max() - cols.min() + 1
            assert cut.sum() == h * w and max(h, w) <= 14
            sides.append(max(h, w))
    assert max(sides) > 6  # random sizes, not a constant


def test_randaugment_changes_images_and_keeps_format():
    np.random.seed(1)
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, size=(28, 28, 3), dtype=np.uint8)
    pipe = Compose([dict(type='FixMatchRandAugment', num_ops=2, cutout_ratio=0.0)])
    changed = 0
    for _ in range(20):
        out = pipe({'img': img.copy(), 'img_shape': (28, 28)})['img']
        assert out.shape == (28, 28, 3) and out.dtype == np.uint8
        changed += int(not np.array_equal(out, img))
    # two operations, each applied with probability 0.5: P(no change) = 1/4 (less with Identity-like draws)
    assert 8 <= changed <= 20
    assert len(FIXMATCH_RANDAUG_POLICIES) == 13


def test_bad_arguments():
    with pytest.raises(ValueError, match='num_ops'):
        FixMatchRandAugment(num_ops=0)
    with pytest.raises(ValueError, match='cutout_ratio'):
        FixMatchRandAugment(cutout_ratio=1.5)
