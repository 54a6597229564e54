"""The embedded demo data: small segmentation scenes composed from real Fashion-MNIST items.

Each scene is a ``size x size`` RGB image on a varied background (two-colour gradient, smooth low-frequency
noise and, for some scenes, stripes) holding 1-4 Fashion-MNIST items of four classes (t-shirt, trouser, sneaker,
bag), each rescaled to 30-60 % of the scene, tinted with a random colour and pasted at a random position (later
items occlude earlier ones). The mask holds, per pixel, the class of the visible item (1-4) or background (0);
an item pixel counts when its Fashion-MNIST intensity is at least 25 % of the item's maximum. Training scenes use
items of Fashion-MNIST's training set, validation scenes items of its test set, so no item is seen in both.

Written in the Pascal VOC layout::

    <out_root>/JPEGImages/{train,val}_<5 digits>.jpg
    <out_root>/SegmentationClass/{train,val}_<5 digits>.png      class indices 0..4 (no ignore label)
    <out_root>/ImageSets/Segmentation/{train,val}.txt
    <out_root>/demo_params.json                                   the generator's arguments

Everything follows from the seed: the same arguments give byte-identical masks and images.

``source=True`` writes the *source* scenes (``data/demo_source``): the same generator with the six other
Fashion-MNIST classes (pullover, dress, coat, sandal, shirt, ankle boot), fully labeled. Supervised pretraining on
them is the demo's stand-in for the ImageNet weights the method starts from, which cannot be downloaded here.
"""
import gzip
import json
import os
import os.path as osp
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
from PIL import Image

from densessl.utils.fileio import atomic_dir

#: Fashion-MNIST label of each demo class (index = demo class - 1)
FMNIST_LABELS = (0, 1, 7, 8)  # T-shirt/top, Trouser, Sneaker, Bag
DEMO_CLASSES = ('background', 't-shirt', 'trouser', 'sneaker', 'bag')
DEMO_PALETTE = [[0, 0, 0], [230, 25, 75], [60, 180, 75], [255, 225, 25], [0, 130, 200]]
#: the *source* scenes: the same generator with the six other Fashion-MNIST classes, fully labeled. Supervised
#: pretraining on them stands in for the ImageNet weights the method starts from (none can be downloaded here):
#: a generic start that has seen related objects but none of the demo's classes.
SOURCE_FMNIST_LABELS = (2, 3, 4, 5, 6, 9)  # Pullover, Dress, Coat, Sandal, Shirt, Ankle boot
SOURCE_CLASSES = ('background', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'ankle boot')
SOURCE_PALETTE = [[0, 0, 0], [245, 130, 48], [145, 30, 180], [70, 240, 240], [240, 50, 230], [210, 245, 60],
                  [250, 190, 190]]
DEFAULT_FMNIST_DIRS = ('/usr/share/datasets/fashion-mnist', 'data/fashion_mnist')
_ITEM_THRESHOLD = 0.25


def _open_idx(root: str, name: str) -> bytes:
    for path, opener in ((osp.join(root, name), open), (osp.join(root, name + '.gz'), gzip.open)):
        if osp.isfile(path):
            try:
                with opener(path, 'rb') as f:
                    return f.read()
            except (OSError, EOFError) as e:
                raise OSError(f'cannot read Fashion-MNIST file {path}: {e}') from e
    raise FileNotFoundError(f'Fashion-MNIST file {name}(.gz) not found in {root}; install the Debian package '
                            '`dataset-fashion-mnist` (apt-get install dataset-fashion-mnist) or set '
                            'DENSESSL_FMNIST_ROOT to a folder holding the idx files')


def read_idx(root: str, part: str) -> Tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST images and labels of one part.

    Args:
        root (str): folder with the idx files, gzipped (Debian package) or not.
        part (str): ``'train'`` (60000 items) or ``'t10k'`` (10000 items).

    Returns:
        (images, labels): ``(N, 28, 28)`` uint8 and ``(N,)`` int64.
    """
    img_raw = _open_idx(root, f'{part}-images-idx3-ubyte')
    lab_raw = _open_idx(root, f'{part}-labels-idx1-ubyte')
    if int.from_bytes(img_raw[:4], 'big') != 2051 or int.from_bytes(lab_raw[:4], 'big') != 2049:
        raise ValueError(f'{root}: {part} idx files have wrong magic numbers (corrupt download?)')
    n, h, w = (int.from_bytes(img_raw[4 * i:4 * i + 4], 'big') for i in (1, 2, 3))
    images = np.frombuffer(img_raw, np.uint8, offset=16)
    labels = np.frombuffer(lab_raw, np.uint8, offset=8).astype(np.int64)
    if images.size != n * h * w or labels.size != n:
        raise ValueError(f'{root}: {part} idx files are truncated ({images.size} pixels, {labels.size} labels, '
                         f'header says {n} x {h} x {w})')
    return images.reshape(n, h, w), labels


def find_fmnist_root(fmnist_root: Optional[str] = None) -> str:
    """The folder holding Fashion-MNIST: the argument when given (only it), else the first of
    ``$DENSESSL_FMNIST_ROOT``, the Debian package's folder and ``data/fashion_mnist`` that holds the files."""
    if fmnist_root:
        candidates = [fmnist_root]
    else:
        candidates = [os.environ['DENSESSL_FMNIST_ROOT']] if os.environ.get('DENSESSL_FMNIST_ROOT') else []
        candidates += list(DEFAULT_FMNIST_DIRS)
    for c in candidates:
        if any(osp.isfile(osp.join(c, 'train-images-idx3-ubyte' + s)) for s in ('', '.gz')):
            return c
    raise FileNotFoundError(f'Fashion-MNIST not found in any of {candidates}; install the Debian package '
                            '`dataset-fashion-mnist` (tools/setup_env.sh does) or set DENSESSL_FMNIST_ROOT')


def _background(rng: np.random.Generator, size: int) -> np.ndarray:
    """A varied ``(size, size, 3)`` float background in [0, 1]."""
    c0, c1 = rng.uniform(0, 1, 3), rng.uniform(0, 1, 3)
    angle = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:size, 0:size] / max(size - 1, 1)
    t = (np.cos(angle) * xx + np.sin(angle) * yy)
    t = (t - t.min()) / max(t.max() - t.min(), 1e-6)
    bg = c0[None, None] * (1 - t[..., None]) + c1[None, None] * t[..., None]
    # smooth noise: a coarse random grid upsampled bilinearly
    coarse = rng.normal(0, 0.12, (6, 6, 3)).astype(np.float32)
    noise = np.asarray(Image.fromarray(((coarse + 0.5) * 255).clip(0, 255).astype(np.uint8)).resize(
        (size, size), Image.BILINEAR), np.float32) / 255 - 0.5
    bg = bg + noise
    if rng.random() < 0.3:  # stripes
        period = rng.uniform(6, 20)
        phase = rng.uniform(0, period)
        stripes = ((np.cos(angle + np.pi / 2) * xx + np.sin(angle + np.pi / 2) * yy) * size + phase) % period
        bg = bg + 0.15 * (stripes < period / 2)[..., None] * rng.choice([-1, 1])
    bg = bg + rng.normal(0, 0.03, bg.shape)  # pixel noise
    return bg.clip(0, 1)


def compose_scene(rng: np.random.Generator, items: np.ndarray, labels: np.ndarray, by_class: Dict[int, np.ndarray],
                  size: int = 128, max_items: int = 4,
                  fmnist_labels: Sequence[int] = FMNIST_LABELS) -> Tuple[np.ndarray, np.ndarray]:
    """One scene and its mask.

    Args:
        rng: the random generator (the only source of randomness).
        items (np.ndarray): ``(N, 28, 28)`` uint8 Fashion-MNIST images.
        labels (np.ndarray): ``(N,)`` their labels.
        by_class (dict): Fashion-MNIST label -> indices of ``items`` with that label.
        size (int): scene side in pixels.
        max_items (int): at most this many items (at least 1).
        fmnist_labels (sequence of int): the Fashion-MNIST label of scene class ``i + 1``. Defaults to the demo's
            :data:`FMNIST_LABELS`.

    Returns:
        (image, mask): ``(size, size, 3)`` uint8 RGB and ``(size, size)`` uint8 class indices
        ``0..len(fmnist_labels)``.
    """
    img = _background(rng, size)
    mask = np.zeros((size, size), np.uint8)
    for _ in range(int(rng.integers(1, max_items + 1))):
        cls = int(rng.integers(len(fmnist_labels)))
        idx = int(rng.choice(by_class[fmnist_labels[cls]]))
        side = int(rng.uniform(0.3, 0.6) * size)
        item = np.asarray(Image.fromarray(items[idx]).resize((side, side), Image.BILINEAR), np.float32) / 255
        if rng.random() < 0.5:
            item = item[:, ::-1]
        alpha = item / max(item.max(), 1e-6)
        y0, x0 = int(rng.integers(0, size - side + 1)), int(rng.integers(0, size - side + 1))
        region = img[y0:y0 + side, x0:x0 + side]
        # tint: a random colour, the item's texture modulating its brightness
        colour = rng.uniform(0, 1, 3)
        textured = colour[None, None] * (0.55 + 0.45 * alpha[..., None])
        a = np.clip(alpha * 1.6, 0, 1)[..., None]
        img[y0:y0 + side, x0:x0 + side] = region * (1 - a) + textured * a
        mask[y0:y0 + side, x0:x0 + side][alpha >= _ITEM_THRESHOLD] = cls + 1
    return (img * 255).round().astype(np.uint8), mask


def _write_part(tmp_root: str, prefix: str, n: int, items, labels, rng, size: int,
                fmnist_labels: Sequence[int] = FMNIST_LABELS) -> np.ndarray:
    """Write ``n`` scenes named ``<prefix>_<i>`` and their list file; returns the per-class pixel counts."""
    by_class = {lb: np.flatnonzero(labels == lb) for lb in fmnist_labels}
    names, counts = [], np.zeros(len(fmnist_labels) + 1, np.int64)
    for i in range(n):
        name = f'{prefix}_{i:05d}'
        image, mask = compose_scene(rng, items, labels, by_class, size=size, fmnist_labels=fmnist_labels)
        Image.fromarray(image).save(osp.join(tmp_root, 'JPEGImages', name + '.jpg'), quality=95)
        Image.fromarray(mask).save(osp.join(tmp_root, 'SegmentationClass', name + '.png'))
        counts += np.bincount(mask.ravel(), minlength=len(counts))
        names.append(name)
    with open(osp.join(tmp_root, 'ImageSets', 'Segmentation', prefix + '.txt'), 'w') as f:
        f.write('\n'.join(names) + '\n')
    return counts


def generate_demo_dataset(out_root: str, fmnist_root: Optional[str] = None, num_train: int = 1000,
                          num_val: int = 200, size: int = 128, seed: int = 0, overwrite: bool = False,
                          source: bool = False) -> dict:
    """Write the demo dataset to ``out_root`` (atomically: a temp folder renamed at the end).

    Args:
        out_root (str): destination; must not exist unless ``overwrite``.
        fmnist_root (str, optional): Fashion-MNIST folder (see :func:`find_fmnist_root`).
        num_train (int): training scenes. Defaults to 1000.
        num_val (int): validation scenes. Defaults to 200.
        size (int): scene side. Defaults to 128.
        seed (int): seed of everything. Defaults to 0.
        overwrite (bool): replace an existing ``out_root``.
        source (bool): write the *source* scenes instead (:data:`SOURCE_CLASSES`, the other six Fashion-MNIST
            classes), the stand-in for ImageNet pretraining. Defaults to False.

    Returns:
        dict: the parameters written to ``demo_params.json`` plus per-class pixel shares of the training masks.
    """
    if num_train < 1 or num_val < 1:
        raise ValueError(f'num_train and num_val must be >= 1, got {num_train}, {num_val}')
    if osp.exists(out_root) and not overwrite:
        raise FileExistsError(f'{out_root} exists; pass overwrite=True (--overwrite) to regenerate it')
    src = find_fmnist_root(fmnist_root)
    with atomic_dir(out_root, prefix='.demo_tmp_') as tmp:
        for d in ('JPEGImages', 'SegmentationClass', osp.join('ImageSets', 'Segmentation')):
            os.makedirs(osp.join(tmp, d))
        # the source scenes draw from another stream: their backgrounds are not the demo's
        ss = np.random.SeedSequence([seed, 1] if source else seed)
        rng_train, rng_val = (np.random.default_rng(s) for s in ss.spawn(2))
        tr_items, tr_labels = read_idx(src, 'train')
        te_items, te_labels = read_idx(src, 't10k')
        fmnist_labels, classes = (SOURCE_FMNIST_LABELS, SOURCE_CLASSES) if source else (FMNIST_LABELS, DEMO_CLASSES)
        counts = _write_part(tmp, 'train', num_train, tr_items, tr_labels, rng_train, size, fmnist_labels)
        _write_part(tmp, 'val', num_val, te_items, te_labels, rng_val, size, fmnist_labels)
        params = dict(num_train=num_train, num_val=num_val, size=size, seed=seed, classes=list(classes),
                      fmnist_labels=list(fmnist_labels), fmnist_root=osp.abspath(src),
                      train_pixel_share={c: round(float(v / counts.sum()), 4)
                                         for c, v in zip(classes, counts)})
        with open(osp.join(tmp, 'demo_params.json'), 'w') as f:
            json.dump(params, f, indent=2)
    return params
