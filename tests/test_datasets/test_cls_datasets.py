"""Classification datasets: real Fashion-MNIST (Debian package), CIFAR / SVHN on tiny files in the official
formats, restriction to a split file, the balanced split tool. (The split helpers: test_splits.py.)"""
import gzip
import os.path as osp
import pickle
import sys

import numpy as np
import pytest

from densessl.datasets.cls_datasets import (FASHION_MNIST_DEB_DIR, SemiCIFAR10, SemiCIFAR100, SemiFashionMNIST,
                                            SemiSVHN, prepare_fashion_mnist)
from densessl.datasets.splits import make_balanced_split, read_index_file

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
FMNIST_ROOT = osp.join(REPO, 'data', 'fashion_mnist')


def _idx_array(path_gz: str, header: int) -> np.ndarray:
    with gzip.open(path_gz, 'rb') as f:
        return np.frombuffer(f.read(), np.uint8, offset=header)


@pytest.fixture(scope='module')
def fmnist_root():
    return prepare_fashion_mnist(FMNIST_ROOT)


# ------------------------------------------------------------------------------------------ Fashion-MNIST
def test_fashion_mnist_test_split_reads_t10k_whatever_test_mode(fmnist_root):
    t10k_labels = _idx_array(osp.join(FASHION_MNIST_DEB_DIR, 't10k-labels-idx1-ubyte.gz'), 8)
    t10k_images = _idx_array(osp.join(FASHION_MNIST_DEB_DIR, 't10k-images-idx3-ubyte.gz'), 16).reshape(-1, 28, 28)
    for test_mode in (False, True):
        ds = SemiFashionMNIST(data_root=fmnist_root, split='test', test_mode=test_mode, lazy_init=True)
        data = ds.load_data_list()
        assert len(data) == 10000
        assert [int(d['gt_label']) for d in data[:50]] == t10k_labels[:50].tolist()
        np.testing.assert_array_equal(data[123]['img'], t10k_images[123])


def test_mmpretrain_fashion_mnist_pitfall_is_real(fmnist_root):
    """mmpretrain's own class picks the files from test_mode: split='test' alone gives the 60k training set —
    the reason SemiFashionMNIST exists."""
    from mmpretrain.datasets import FashionMNIST
    ds = FashionMNIST(data_root=fmnist_root, split='test', download=False, lazy_init=True)
    assert len(ds.load_data_list()) == 60000


def test_fashion_mnist_train_and_split_file(fmnist_root, tmp_path):
    full = SemiFashionMNIST(data_root=fmnist_root, split='train', lazy_init=True).load_data_list()
    assert len(full) == 60000
    labels = [int(d['gt_label']) for d in full]
    assert np.bincount(labels).tolist() == [6000] * 10
    split = tmp_path / 'labeled.txt'
    split.write_text('59999\n7\n123\n')
    ds = SemiFashionMNIST(data_root=fmnist_root, split='train', split_file=str(split))
    assert len(ds) == 3
    for pos, orig in enumerate((59999, 7, 123)):
        info = ds.get_data_info(pos)
        assert info['orig_idx'] == orig and info['sample_idx'] == pos
        assert int(info['gt_label']) == labels[orig]
        np.testing.assert_array_equal(info['img'], full[orig]['img'])


def test_fashion_mnist_prepare_unpacks_once(tmp_path):
    out = prepare_fashion_mnist(str(tmp_path / 'fm'))
    path = osp.join(out, 'train-labels-idx1-ubyte')
    raw = open(path, 'rb').read()
    assert raw[8:18] == _idx_array(osp.join(FASHION_MNIST_DEB_DIR, 'train-labels-idx1-ubyte.gz'), 8)[:10].tobytes()
    mtime = osp.getmtime(path)
    prepare_fashion_mnist(out)
    assert osp.getmtime(path) == mtime


def test_fashion_mnist_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match='dataset-fashion-mnist'):
        prepare_fashion_mnist(str(tmp_path / 'x'), src_dir=str(tmp_path / 'nowhere'))
    with pytest.raises(FileNotFoundError, match='t10k-images-idx3-ubyte'):
        SemiFashionMNIST(data_root=str(tmp_path / 'empty'), split='test', prepare=False)
    with pytest.raises(ValueError, match="split must be one of"):
        SemiFashionMNIST(data_root=FMNIST_ROOT, split='val')


# ------------------------------------------------------------------------------------------ split files
def test_missing_split_file_names_it(fmnist_root, tmp_path):
    with pytest.raises(FileNotFoundError, match='nope/labeled.txt.*make_cls_splits'):
        SemiFashionMNIST(data_root=fmnist_root, split_file=str(tmp_path / 'nope' / 'labeled.txt'))


def test_make_cls_splits_tool(tmp_path, fmnist_root):
    sys.path.insert(0, osp.join(REPO, 'tools'))
    try:
        import make_cls_splits
    finally:
        sys.path.pop(0)
    written = make_cls_splits.make_cls_splits('fashion_mnist', [40, 100], seed=1, data_root=fmnist_root,
                                              out=str(tmp_path))
    assert [osp.basename(w) for w in written] == ['40labels-seed1', '100labels-seed1']
    full = SemiFashionMNIST(data_root=fmnist_root, lazy_init=True).load_data_list()
    labels = np.array([int(d['gt_label']) for d in full])
    lab = read_index_file(osp.join(written[1], 'labeled.txt'))
    unl = read_index_file(osp.join(written[1], 'unlabeled.txt'))
    assert np.bincount(labels[lab]).tolist() == [10] * 10
    assert len(lab) + len(unl) == 60000 and not set(lab) & set(unl)
    # the committed default split the configs read is the seed-0 choice of the same function
    committed = read_index_file(osp.join(REPO, 'data', 'splits', 'fashion_mnist', '40labels', 'labeled.txt'))
    assert committed == make_balanced_split(labels, 40, seed=0)[0]


# ------------------------------------------------------------------------------------------ CIFAR / SVHN
def _write_cifar(root, base_folder, train_files, test_files, label_key, n=6, seed=0):
    rng = np.random.default_rng(seed)
    folder = osp.join(root, base_folder)
    import os
    os.makedirs(folder)
    truth = {}
    for fname in list(train_files) + list(test_files):
        data = rng.integers(0, 256, size=(n, 3 * 32 * 32), dtype=np.uint8)
        labels = rng.integers(0, 10, size=n).tolist()
        with open(osp.join(folder, fname), 'wb') as f:
            pickle.dump({'data': data, label_key: labels}, f)
        truth[fname] = (data, labels)
    return truth


def test_cifar10_official_layout(tmp_path):
    truth = _write_cifar(str(tmp_path), 'cifar-10-batches-py', [f'data_batch_{i}' for i in range(1, 6)],
                         ['test_batch'], 'labels')
    train = SemiCIFAR10(data_root=str(tmp_path), split='train', check_md5=False)
    assert len(train) == 30
    data, labels = truth['data_batch_2']
    info = train.get_data_info(7)  # second batch, second image
    assert int(info['gt_label']) == labels[1]
    np.testing.assert_array_equal(info['img'], data[1].reshape(3, 32, 32).transpose(1, 2, 0))
    test = SemiCIFAR10(data_root=str(tmp_path), split='test', check_md5=False)
    assert len(test) == 6
    split = tmp_path / 'lab.txt'
    split.write_text('29\n0\n')
    sub = SemiCIFAR10(data_root=str(tmp_path), split_file='lab.txt', check_md5=False)  # relative to data_root
    assert [sub.get_data_info(i)['orig_idx'] for i in range(2)] == [29, 0]
    with pytest.raises(ValueError, match='data_batch_1 is corrupted'):
        SemiCIFAR10(data_root=str(tmp_path), split='train', check_md5=True)


def test_cifar100_and_missing_files(tmp_path):
    _write_cifar(str(tmp_path), 'cifar-100-python', ['train'], ['test'], 'fine_labels', n=4)
    ds = SemiCIFAR100(data_root=str(tmp_path), split='test', check_md5=False)
    assert len(ds) == 4 and len(ds.metainfo['classes']) == 100
    with pytest.raises(FileNotFoundError, match=r'cifar-10-batches-py/data_batch_1.*cifar-10-python.tar.gz'):
        SemiCIFAR10(data_root=str(tmp_path / 'none'))


def test_svhn_mat_file(tmp_path):
    from scipy.io import savemat
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, size=(32, 32, 3, 5), dtype=np.uint8)
    y = np.array([[10], [1], [2], [10], [9]], dtype=np.uint8)
    savemat(str(tmp_path / 'train_32x32.mat'), {'X': x, 'y': y})
    ds = SemiSVHN(data_root=str(tmp_path), split='train')
    assert [int(ds.get_data_info(i)['gt_label']) for i in range(5)] == [0, 1, 2, 0, 9]
    np.testing.assert_array_equal(ds.get_data_info(3)['img'], x[..., 3])
    with pytest.raises(FileNotFoundError, match='test_32x32.mat'):
        SemiSVHN(data_root=str(tmp_path), split='test')
    savemat(str(tmp_path / 'extra_32x32.mat'), {'X': x[:, :, :2], 'y': y})
    with pytest.raises(ValueError, match='must hold X'):
        SemiSVHN(data_root=str(tmp_path), split='extra')
