"""Image-classification datasets for semi-supervised learning: CIFAR-10/100, SVHN and Fashion-MNIST, whole or
restricted to the samples a split file lists.

A classification split lives in ``data/splits/<dataset>/<n>labels/`` as ``labeled.txt`` and ``unlabeled.txt``,
one **sample index** of the official training set per line (``tools/make_cls_splits.py`` writes them, balanced
over the classes: :mod:`densessl.datasets.splits`). ``split_file`` restricts a dataset to those samples, in the
file's order; each data info keeps its index in the official set as ``orig_idx`` (and, as usual, its position in
the restricted dataset as ``sample_idx``, which FlexMatch's per-sample memory uses).

The dataset classes reuse mmpretrain's readers (:class:`mmpretrain.datasets.CIFAR10`, ``CIFAR100``,
``FashionMNIST``) with two fixes for offline use:

- nothing is downloaded (no network here): a missing file raises with its path and how to get it;
- Fashion-MNIST picks its file set from ``split`` (mmpretrain's picks it from ``test_mode``, so
  ``split='test'`` without ``test_mode=True`` silently returned the 60 000 training images), and reads the
  gzipped files of the Debian ``dataset-fashion-mnist`` package after unpacking them once with
  :func:`prepare_fashion_mnist`.
"""
import gzip
import os
import os.path as osp
import shutil
from typing import Dict, List, Optional

import numpy as np
from mmengine.fileio import exists, join_path
from mmpretrain.datasets import CIFAR10, CIFAR100, FashionMNIST
from mmpretrain.datasets.base_dataset import BaseDataset
from mmpretrain.datasets.mnist import read_image_file, read_label_file

from densessl.registry import DATASETS
from .splits import read_index_file

__all__ = [
    'SemiCIFAR10', 'SemiCIFAR100', 'SemiFashionMNIST', 'SemiSVHN', 'prepare_fashion_mnist', 'FASHION_MNIST_DEB_DIR',
    'DEFAULT_FASHION_MNIST_ROOT'
]

#: where the Debian / Ubuntu package ``dataset-fashion-mnist`` installs the gzipped idx files
FASHION_MNIST_DEB_DIR = '/usr/share/datasets/fashion-mnist'
#: where the configs expect the unpacked files (git-ignored data folder of the repository)
DEFAULT_FASHION_MNIST_ROOT = 'data/fashion_mnist'

_FMNIST_FILES = ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte',
                 't10k-labels-idx1-ubyte')
_SPLITS = ('train', 'test')


def _resolve(path: str, data_root: str) -> str:
    """A relative split file under ``data_root`` if it exists there, else from the working directory."""
    if osp.isabs(path) or not data_root:
        return path
    under_root = osp.join(data_root, path)
    return under_root if osp.isfile(under_root) else path


class _SplitFileMixin:
    """Restrict a whole-dataset reader to the indices of ``split_file`` (set before ``super().__init__``)."""

    split_file: Optional[str]

    def _restrict(self, data_list: List[dict]) -> List[dict]:
        if self.split_file is None:
            return [dict(info, orig_idx=i) for i, info in enumerate(data_list)]
        path = _resolve(self.split_file, getattr(self, 'data_root', '') or '')
        try:
            indices = read_index_file(path, len(data_list))
        except FileNotFoundError:
            raise FileNotFoundError(f'{type(self).__name__}: split file not found: {path} (make it with '
                                    'tools/make_cls_splits.py)') from None
        self.split_file = path
        return [dict(data_list[i], orig_idx=i) for i in indices]


def _check_split(name: str, split: str) -> None:
    if split not in _SPLITS:
        raise ValueError(f'{name}: split must be one of {_SPLITS}, got {split!r}')


# ---------------------------------------------------------------------------------------------- CIFAR
@DATASETS.register_module()
class SemiCIFAR10(_SplitFileMixin, CIFAR10):
    """CIFAR-10 (python pickle batches in ``data_root/cifar-10-batches-py``), optionally restricted to a split.

    Args:
        data_root (str): folder holding ``cifar-10-batches-py``.
        split (str): ``'train'`` or ``'test'``. Defaults to ``'train'``.
        split_file (str, optional): indices of the samples to keep (relative paths are looked up under
            ``data_root`` first, then from the working directory).
        check_md5 (bool): verify the official md5 sums of the batch files. Defaults to True.
        **kwargs: other arguments of :class:`mmpretrain.datasets.CIFAR10` (``pipeline``, ``test_mode``, ...);
            ``download`` is forced off.

    Raises:
        FileNotFoundError: a batch file or the split file is missing (the message names it).
        ValueError: unknown ``split``, a corrupted file (md5), a bad split file.
    """

    DOWNLOAD_HINT = ('download and unpack https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz into data_root '
                     '(this machine has no network; mmpretrain would otherwise try to download it)')

    def __init__(self, data_root: str = '', split: str = 'train', split_file: Optional[str] = None,
                 check_md5: bool = True, **kwargs) -> None:
        _check_split(type(self).__name__, split)
        self.split_file = split_file
        self.check_md5 = check_md5
        kwargs['download'] = False
        super().__init__(data_root=osp.expanduser(data_root), split=split, **kwargs)

    def _check_integrity(self) -> bool:
        root = self.data_prefix['root']
        for filename, md5 in self.train_list + self.test_list:
            fpath = join_path(root, self.base_folder, filename)
            if not exists(fpath):
                raise FileNotFoundError(f'{type(self).__name__}: missing {fpath}; {self.DOWNLOAD_HINT}')
            if self.check_md5:
                from mmpretrain.datasets.utils import check_md5
                if not check_md5(fpath, md5):
                    raise ValueError(f'{type(self).__name__}: {fpath} is corrupted (md5 differs from {md5})')
        return True

    def load_data_list(self) -> List[dict]:
        return self._restrict(super().load_data_list())


@DATASETS.register_module()
class SemiCIFAR100(SemiCIFAR10):
    """CIFAR-100 (``data_root/cifar-100-python``, fine labels); arguments as :class:`SemiCIFAR10`."""

    base_folder = CIFAR100.base_folder
    train_list = CIFAR100.train_list
    test_list = CIFAR100.test_list
    meta = CIFAR100.meta
    METAINFO = CIFAR100.METAINFO
    DOWNLOAD_HINT = ('download and unpack https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz into data_root '
                     '(this machine has no network)')


# ---------------------------------------------------------------------------------------------- SVHN
@DATASETS.register_module()
class SemiSVHN(_SplitFileMixin, BaseDataset):
    """SVHN cropped digits (``train_32x32.mat`` / ``test_32x32.mat`` in ``data_root``), labels 0-9.

    The official files store digit 0 as label 10; it is mapped to 0 here.

    Args:
        data_root (str): folder holding the ``.mat`` files.
        split (str): ``'train'`` or ``'test'`` (``'extra'`` too, if its file is there). Defaults to ``'train'``.
        split_file (str, optional): indices of the samples to keep.
        **kwargs: other arguments of :class:`mmpretrain.datasets.BaseDataset`.

    Raises:
        FileNotFoundError: the ``.mat`` file or the split file is missing.
        ValueError: unknown split or unexpected array shapes in the file.
    """

    METAINFO = {'classes': tuple(str(i) for i in range(10))}
    DOWNLOAD_HINT = 'download train_32x32.mat / test_32x32.mat from http://ufldl.stanford.edu/housenumbers/'

    def __init__(self, data_root: str = '', split: str = 'train', split_file: Optional[str] = None,
                 **kwargs) -> None:
        if split not in ('train', 'test', 'extra'):
            raise ValueError(f"SemiSVHN: split must be 'train', 'test' or 'extra', got {split!r}")
        self.split = split
        self.split_file = split_file
        super().__init__(ann_file='', data_root=osp.expanduser(data_root), **kwargs)

    def load_data_list(self) -> List[dict]:
        from scipy.io import loadmat
        path = osp.join(self.data_root, f'{self.split}_32x32.mat')
        if not osp.isfile(path):
            raise FileNotFoundError(f'SemiSVHN: missing {path}; {self.DOWNLOAD_HINT}')
        mat = loadmat(path)
        x, y = mat.get('X'), mat.get('y')
        if x is None or y is None or x.ndim != 4 or x.shape[:3] != (32, 32, 3) or y.size != x.shape[3]:
            raise ValueError(f'SemiSVHN: {path} must hold X (32, 32, 3, N) uint8 and y (N, 1); got '
                             f'{None if x is None else x.shape} and {None if y is None else y.shape}')
        imgs = np.ascontiguousarray(x.transpose(3, 0, 1, 2))
        labels = y.reshape(-1).astype(np.int64) % 10
        return self._restrict([{'img': img, 'gt_label': int(lb)} for img, lb in zip(imgs, labels)])


# ---------------------------------------------------------------------------------------------- Fashion-MNIST
def prepare_fashion_mnist(out_dir: str = DEFAULT_FASHION_MNIST_ROOT, src_dir: str = FASHION_MNIST_DEB_DIR) -> str:
    """Unpack the four gzipped Fashion-MNIST idx files of ``src_dir`` into ``out_dir`` (once).

    mmpretrain's reader opens the *unzipped* idx files; the Debian package ``dataset-fashion-mnist`` installs
    them gzipped in :data:`FASHION_MNIST_DEB_DIR`. Files already present are kept; each is written atomically.

    Args:
        out_dir (str): destination folder (created).
        src_dir (str): folder with ``train-images-idx3-ubyte.gz`` etc.

    Returns:
        str: ``out_dir``.

    Raises:
        FileNotFoundError: a file is in neither place (the message names both paths and the package).
    """
    out_dir = osp.expanduser(out_dir)
    os.makedirs(out_dir, exist_ok=True)
    for name in _FMNIST_FILES:
        dst = osp.join(out_dir, name)
        if osp.isfile(dst):
            continue
        src = osp.join(src_dir, name + '.gz')
        if not osp.isfile(src):
            raise FileNotFoundError(f'Fashion-MNIST: {dst} is missing and so is {src}; install the Debian package '
                                    '`dataset-fashion-mnist` or put the idx files there')
        tmp = dst + f'.tmp{os.getpid()}'
        with gzip.open(src, 'rb') as fin, open(tmp, 'wb') as fout:
            shutil.copyfileobj(fin, fout)
        os.replace(tmp, dst)
    return out_dir


@DATASETS.register_module()
class SemiFashionMNIST(_SplitFileMixin, FashionMNIST):
    """Fashion-MNIST (28x28 grey images, 10 classes), optionally restricted to a split.

    Unlike :class:`mmpretrain.datasets.FashionMNIST`, the file set follows ``split`` (``'test'`` reads the
    10 000 ``t10k`` images whatever ``test_mode`` is), and missing unpacked files are unpacked from the Debian
    package's gzipped copies (:func:`prepare_fashion_mnist`) when ``prepare=True``.

    Args:
        data_root (str): folder of the unpacked idx files. Defaults to :data:`DEFAULT_FASHION_MNIST_ROOT`.
        split (str): ``'train'`` (60 000) or ``'test'`` (10 000). Defaults to ``'train'``.
        split_file (str, optional): indices of the training samples to keep.
        prepare (bool): unpack missing files from :data:`FASHION_MNIST_DEB_DIR`. Defaults to True.
        **kwargs: other arguments of :class:`mmpretrain.datasets.FashionMNIST`; ``download`` is forced off.

    Raises:
        FileNotFoundError: the idx files are missing (and cannot be unpacked), or the split file is.
        ValueError: unknown ``split``; a bad split file.
    """

    def __init__(self, data_root: str = DEFAULT_FASHION_MNIST_ROOT, split: str = 'train',
                 split_file: Optional[str] = None, prepare: bool = True, **kwargs) -> None:
        _check_split(type(self).__name__, split)
        data_root = osp.expanduser(data_root)
        if prepare:
            prepare_fashion_mnist(data_root)
        self.split_file = split_file
        kwargs['download'] = False
        super().__init__(data_root=data_root, split=split, **kwargs)

    def load_data_list(self) -> List[dict]:
        root = self.data_prefix['root']
        files: Dict[str, str] = {}
        for kind, (fname, _) in zip(('images', 'labels'), self.train_list if self.split == 'train' else self.test_list):
            path = join_path(root, fname[:-len('.gz')])
            if not exists(path):
                raise FileNotFoundError(f'{type(self).__name__}: missing {path}; unpack the Debian package\'s '
                                        f'{FASHION_MNIST_DEB_DIR}/{fname} there (prepare_fashion_mnist does)')
            files[kind] = path
        imgs = read_image_file(files['images']).numpy()
        labels = read_label_file(files['labels']).numpy()
        if len(imgs) != len(labels):
            raise ValueError(f'{files["images"]} holds {len(imgs)} images but {files["labels"]} {len(labels)} labels')
        return self._restrict([{'img': img, 'gt_label': np.array(lb, dtype=np.int64)}
                               for img, lb in zip(imgs, labels)])
