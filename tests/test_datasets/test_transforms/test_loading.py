"""LoadCheckedImageFromFile / LoadCheckedAnnotations: good files load, bad files fail naming the file."""
import numpy as np
import pytest
from mmengine.dataset import Compose
from PIL import Image

from densessl.datasets.transforms.loading import LoadCheckedAnnotations, LoadCheckedImageFromFile
from densessl.registry import TRANSFORMS
from densessl.utils import register_all_modules


@pytest.fixture(scope='module', autouse=True)
def _scope():
    register_all_modules()


def _img(tmp_path, name='img.jpg', size=(24, 32)):
    path = str(tmp_path / name)
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (*size, 3), dtype=np.uint8)).save(path)
    return path


def _mask(tmp_path, array, name='mask.png'):
    path = str(tmp_path / name)
    Image.fromarray(np.asarray(array, dtype=np.uint8)).save(path)
    return path


def _results(img_path=None, seg_map_path=None, num_classes=None, **extra):
    res = dict(img_path=img_path, seg_map_path=seg_map_path, seg_fields=[], reduce_zero_label=False, label_map=None)
    if num_classes is not None:
        res['num_classes'] = num_classes
    res.update(extra)
    return res


def test_registered_in_densessl_transforms():
    assert TRANSFORMS.get('LoadCheckedImageFromFile') is LoadCheckedImageFromFile
    assert TRANSFORMS.get('LoadCheckedAnnotations') is LoadCheckedAnnotations
    t = TRANSFORMS.build(dict(type='LoadCheckedAnnotations', num_classes=3))
    assert isinstance(t, LoadCheckedAnnotations) and t.num_classes == 3


def test_image_loads(tmp_path):
    out = LoadCheckedImageFromFile()(_results(_img(tmp_path)))
    assert out['img'].shape == (24, 32, 3) and out['ori_shape'] == (24, 32)


def test_missing_image_named(tmp_path):
    path = str(tmp_path / 'nope.jpg')
    with pytest.raises(FileNotFoundError) as err:
        LoadCheckedImageFromFile()(_results(path))
    assert path in str(err.value)


@pytest.mark.parametrize('content', [b'', b'this is not a jpeg', b'\xff\xd8\xff\xe0' + b'\x00' * 7])
def test_corrupt_image_named(tmp_path, content):
    path = str(tmp_path / 'broken.jpg')
    with open(path, 'wb') as f:
        f.write(content)
    with pytest.raises(ValueError) as err:
        LoadCheckedImageFromFile()(_results(path))
    assert path in str(err.value) and 'cannot read image file' in str(err.value)


def test_mask_loads_with_num_classes_from_results_or_arg(tmp_path):
    mask = np.array([[0, 1, 2, 255]] * 4)
    path = _mask(tmp_path, mask)
    out = LoadCheckedAnnotations()(_results(seg_map_path=path, num_classes=3))
    np.testing.assert_array_equal(out['gt_seg_map'], mask)
    assert out['seg_fields'] == ['gt_seg_map']
    out = LoadCheckedAnnotations(num_classes=3)(_results(seg_map_path=path))
    np.testing.assert_array_equal(out['gt_seg_map'], mask)
    with pytest.raises(ValueError, match='num_classes'):
        LoadCheckedAnnotations()(_results(seg_map_path=path))  # nobody says how many classes


def test_values_outside_classes_named(tmp_path):
    path = _mask(tmp_path, [[0, 1, 2, 21], [40, 40, 255, 20]])
    with pytest.raises(ValueError) as err:
        LoadCheckedAnnotations()(_results(seg_map_path=path, num_classes=21))
    msg = str(err.value)
    assert path in msg and '[21, 40]' in msg and '3 pixel(s)' in msg
    # the argument overrides the dataset's count
    out = LoadCheckedAnnotations(num_classes=41)(_results(seg_map_path=path, num_classes=21))
    assert out['gt_seg_map'].max() == 255


def test_ignore_value_can_be_disallowed_by_the_dataset(tmp_path):
    path = _mask(tmp_path, [[0, 255], [255, 0]])
    assert LoadCheckedAnnotations()(_results(seg_map_path=path, num_classes=2))['gt_seg_map'].max() == 255
    with pytest.raises(ValueError) as err:
        LoadCheckedAnnotations()(_results(seg_map_path=path, num_classes=2, mask_ignore_index=None))
    assert path in str(err.value) and '[255]' in str(err.value)
    with pytest.raises(ValueError, match=r'\[255\]'):
        LoadCheckedAnnotations(ignore_index=254)(_results(seg_map_path=path, num_classes=2))


def test_reduce_zero_label_reports_raw_values(tmp_path):
    path = _mask(tmp_path, [[0, 1, 3, 255]] * 2)  # raw 1..3 -> 0..2, 0 -> ignore; with 2 classes raw 3 is bad
    ok = LoadCheckedAnnotations()(_results(seg_map_path=path, num_classes=3, reduce_zero_label=True))
    np.testing.assert_array_equal(ok['gt_seg_map'], [[255, 0, 2, 255]] * 2)
    with pytest.raises(ValueError) as err:
        LoadCheckedAnnotations()(_results(seg_map_path=path, num_classes=2, reduce_zero_label=True))
    assert path in str(err.value) and '[3]' in str(err.value) and 'reduce_zero_label' in str(err.value)


def test_custom_classes_label_map(tmp_path):
    path = _mask(tmp_path, [[0, 1, 2], [2, 1, 0]])
    out = LoadCheckedAnnotations()(_results(seg_map_path=path, num_classes=2, label_map={0: 0, 1: 255, 2: 1}))
    np.testing.assert_array_equal(out['gt_seg_map'], [[0, 255, 1], [1, 255, 0]])


def test_size_mismatch_names_both_files(tmp_path):
    img = _img(tmp_path, size=(24, 32))
    mask = _mask(tmp_path, np.zeros((24, 30)))
    pipeline = Compose([LoadCheckedImageFromFile(), LoadCheckedAnnotations(num_classes=2)])
    with pytest.raises(ValueError) as err:
        pipeline(_results(img, mask))
    assert mask in str(err.value) and img in str(err.value) and '24x30' in str(err.value)


def test_size_checked_against_original_image_after_resize(tmp_path):
    img = _img(tmp_path, size=(24, 32))
    mask = _mask(tmp_path, np.ones((24, 32)))
    pipeline = Compose([
        dict(type='LoadCheckedImageFromFile'),
        dict(type='Resize', scale=(64, 48), keep_ratio=True),
        dict(type='LoadCheckedAnnotations', num_classes=2)
    ])
    out = pipeline(_results(img, mask))
    assert out['img'].shape[:2] == (48, 64) and out['gt_seg_map'].shape == (24, 32)


def test_colour_mask_rejected(tmp_path):
    path = str(tmp_path / 'rgb.png')
    Image.fromarray(np.zeros((4, 5, 3), np.uint8)).save(path)
    with pytest.raises(ValueError) as err:
        LoadCheckedAnnotations(num_classes=2)(_results(seg_map_path=path))
    assert path in str(err.value) and 'single-channel' in str(err.value)


def test_corrupt_missing_and_absent_masks(tmp_path):
    broken = str(tmp_path / 'broken.png')
    with open(broken, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n garbage')
    with pytest.raises(ValueError) as err:
        LoadCheckedAnnotations(num_classes=2)(_results(seg_map_path=broken))
    assert broken in str(err.value) and 'cannot read mask file' in str(err.value)
    missing = str(tmp_path / 'missing.png')
    with pytest.raises(FileNotFoundError) as err:
        LoadCheckedAnnotations(num_classes=2)(_results(seg_map_path=missing))
    assert missing in str(err.value)
    img = str(tmp_path / 'unlabeled.jpg')
    with pytest.raises(ValueError) as err:
        LoadCheckedAnnotations(num_classes=2)(_results(img_path=img))
    assert img in str(err.value) and 'unlabeled' in str(err.value)


def test_bad_num_classes_argument():
    with pytest.raises(ValueError, match='num_classes'):
        LoadCheckedAnnotations(num_classes=0)
