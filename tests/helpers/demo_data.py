"""Fake Fashion-MNIST idx files for the demo scene generator (densessl.utils.demo_scenes): bright squares of
varying size on black, like Fashion-MNIST silhouettes, in the official idx format (gzipped or raw)."""
import gzip
import os
import os.path as osp

import numpy as np

from densessl.utils.demo_scenes import FMNIST_LABELS


def write_idx(root: str, part: str, images: np.ndarray, labels: np.ndarray, gz: bool) -> None:
    """Write ``<part>-images-idx3-ubyte`` and ``<part>-labels-idx1-ubyte`` (``.gz`` when ``gz``) into ``root``."""
    os.makedirs(root, exist_ok=True)
    n, h, w = images.shape
    img = (2051).to_bytes(4, 'big') + b''.join(v.to_bytes(4, 'big') for v in (n, h, w)) + images.tobytes()
    lab = (2049).to_bytes(4, 'big') + n.to_bytes(4, 'big') + labels.astype(np.uint8).tobytes()
    for name, raw in ((f'{part}-images-idx3-ubyte', img), (f'{part}-labels-idx1-ubyte', lab)):
        if gz:
            with gzip.open(osp.join(root, name + '.gz'), 'wb') as f:
                f.write(raw)
        else:
            with open(osp.join(root, name), 'wb') as f:
                f.write(raw)


def fake_items(rng: np.random.Generator, n: int):
    """``n`` items: a bright filled square (varying size) on black; labels cycle over the demo classes, every
    fifth item has a non-demo label (3)."""
    images = np.zeros((n, 28, 28), np.uint8)
    for i in range(n):
        s = int(rng.integers(8, 14))
        images[i, 14 - s:14 + s, 14 - s:14 + s] = rng.integers(120, 256)
    labels = np.array([FMNIST_LABELS[i % 4] if i % 5 else 3 for i in range(n)])  # some non-demo labels
    return images, labels


def fake_fmnist(root: str) -> str:
    """A tiny Fashion-MNIST folder: 60 training items (gzipped files) and 30 test items (raw files)."""
    rng = np.random.default_rng(0)
    for part, n in (('train', 60), ('t10k', 30)):
        images, labels = fake_items(rng, n)
        write_idx(root, part, images, labels, gz=part == 'train')  # one gzipped, one raw: both readable
    return root


def build_scenes(dataset_type: str, root: str, part: str):
    """The dataset of one part (``train`` / ``val``) of a generated scene folder, read with masks."""
    from densessl.registry import DATASETS
    from densessl.utils import register_all_modules
    register_all_modules()
    return DATASETS.build(
        dict(type=dataset_type, data_root=root,
             data_prefix=dict(img_path='JPEGImages', seg_map_path='SegmentationClass'),
             ann_file=f'ImageSets/Segmentation/{part}.txt',
             pipeline=[dict(type='LoadCheckedImageFromFile'), dict(type='LoadCheckedAnnotations'),
                       dict(type='PackSegInputs')]))
