"""LoadH5ImageFromFile / LoadH5Annotations: slices, volume slices and every error named with the file."""
import h5py
import numpy as np
import pytest

from densessl.datasets.transforms.loading_h5 import LoadH5Annotations, LoadH5ImageFromFile, read_h5_array


def _h5(path, **arrays):
    with h5py.File(path, 'w') as f:
        for k, v in arrays.items():
            f.create_dataset(k, data=v)
    return str(path)


def _load(path, slice_index=None, num_classes=4, label=True, **extra):
    results = dict(img_path=path, seg_map_path=path if label else None, slice_index=slice_index,
                   num_classes=num_classes, mask_ignore_index=None, **extra)
    results = LoadH5ImageFromFile()(results)
    return LoadH5Annotations()(results) if label else results


def test_slice_file_loads_one_channel_float_and_uint8_label(tmp_path):
    img = np.linspace(0, 1, 12, dtype=np.float64).reshape(3, 4)
    lab = np.array([[0, 1, 2, 3]] * 3, np.int64)
    out = _load(_h5(tmp_path / 's.h5', image=img, label=lab))
    assert out['img'].shape == (3, 4) and out['img'].dtype == np.float32
    np.testing.assert_allclose(out['img'], img.astype(np.float32))
    assert out['gt_seg_map'].dtype == np.uint8 and (out['gt_seg_map'] == lab).all()
    assert out['ori_shape'] == (3, 4) and out['seg_fields'] == ['gt_seg_map']


def test_volume_slice_is_the_indexed_one(tmp_path):
    img = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4) / 24
    lab = np.stack([np.zeros((3, 4)), np.ones((3, 4))]).astype(np.uint8)
    out = _load(_h5(tmp_path / 'v.h5', image=img, label=lab), slice_index=1)
    np.testing.assert_allclose(out['img'], img[1])
    assert (out['gt_seg_map'] == 1).all()


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.h5'):
        _load(str(tmp_path / 'nope.h5'))


def test_not_an_h5_file(tmp_path):
    bad = tmp_path / 'bad.h5'
    bad.write_bytes(b'not hdf5 at all')
    with pytest.raises(ValueError, match='bad.h5.*corrupt or not HDF5'):
        _load(str(bad))


def test_missing_key_lists_the_keys(tmp_path):
    path = _h5(tmp_path / 'k.h5', img=np.zeros((3, 4)), label=np.zeros((3, 4)))
    with pytest.raises(KeyError, match=r"k.h5 has no dataset 'image' \(it has: \['img', 'label'\]\)"):
        _load(path)
    path = _h5(tmp_path / 'l.h5', image=np.zeros((3, 4)))
    with pytest.raises(KeyError, match="l.h5 has no dataset 'label'"):
        _load(path)


def test_label_shape_mismatch(tmp_path):
    path = _h5(tmp_path / 'm.h5', image=np.zeros((3, 4)), label=np.zeros((4, 3), np.uint8))
    with pytest.raises(ValueError, match=r"m.h5: 'label' is 4x3 \(HxW\) but the image is 3x4"):
        _load(path)


def test_label_out_of_range_names_values_and_slice(tmp_path):
    lab = np.zeros((2, 3, 4), np.uint8)
    lab[1, 0, :2] = 7
    lab[1, 2, 3] = 255
    path = _h5(tmp_path / 'o.h5', image=np.zeros((2, 3, 4)), label=lab)
    _load(path, slice_index=0)  # slice 0 is fine
    with pytest.raises(ValueError, match=r'o.h5.*outside \[0, 4\) in slice 1: \[7, 255\] in 3 pixel'):
        _load(path, slice_index=1)
    out = LoadH5Annotations(ignore_index=255, num_classes=8)(
        LoadH5ImageFromFile()(dict(img_path=path, seg_map_path=path, slice_index=1)))
    assert out['gt_seg_map'][2, 3] == 255


def test_non_integer_label_and_nan_image(tmp_path):
    path = _h5(tmp_path / 'f.h5', image=np.zeros((3, 4)), label=np.full((3, 4), 0.5))
    with pytest.raises(ValueError, match='non-integer'):
        _load(path)
    img = np.zeros((3, 4))
    img[1, 1] = np.nan
    path = _h5(tmp_path / 'n.h5', image=img, label=np.zeros((3, 4), np.uint8))
    with pytest.raises(ValueError, match='n.h5.*1 NaN/inf'):
        _load(path)


def test_volume_read_as_slice_and_slice_index_out_of_range(tmp_path):
    path = _h5(tmp_path / 'v.h5', image=np.zeros((2, 3, 4)), label=np.zeros((2, 3, 4), np.uint8))
    with pytest.raises(ValueError, match=r'v.h5.*\(2, 3, 4\), expected a 2D slice.*volumes=True'):
        _load(path)
    with pytest.raises(ValueError, match='slice index 2 out of range'):
        _load(path, slice_index=2)
    flat = _h5(tmp_path / 's.h5', image=np.zeros((3, 4)), label=np.zeros((3, 4), np.uint8))
    with pytest.raises(ValueError, match='expected a volume'):
        read_h5_array(flat, 'image', slice_index=0)


def test_unlabeled_sample_and_unknown_class_count(tmp_path):
    path = _h5(tmp_path / 's.h5', image=np.zeros((3, 4)), label=np.zeros((3, 4), np.uint8))
    with pytest.raises(ValueError, match='unlabeled split'):
        LoadH5Annotations()(dict(img_path=path, seg_map_path=None))
    with pytest.raises(ValueError, match='number of classes is unknown'):
        LoadH5Annotations()(dict(img_path=path, seg_map_path=path))
