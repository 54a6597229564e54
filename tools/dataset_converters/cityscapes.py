"""Convert Cityscapes ``*_gtFine_labelIds.png`` masks to ``*_gtFine_labelTrainIds.png`` (19 classes + 255).

Usage::

    python tools/dataset_converters/cityscapes.py data/cityscapes [--splits train val] [--nproc 2]

Reads ``ROOT/gtFine/<split>/<city>/*_gtFine_labelIds.png`` (as in gtFine_trainvaltest.zip) and writes the
train-id mask next to each one, atomically (temporary file, then ``os.replace``). The id -> trainId table is the
standard one of cityscapesscripts' ``labels.py`` (written out below, so the package is not needed). License plates
(id -1, stored as 255 when written to uint8) become 255. Any other value stops the conversion with the file named.
"""
import argparse
import os
import os.path as osp
from multiprocessing import Pool
from typing import Dict, List, Sequence

import numpy as np
from PIL import Image

IGNORE = 255

#: (label id, name, train id) of cityscapesscripts/helpers/labels.py
LABELS = (
    (0, 'unlabeled', 255),
    (1, 'ego vehicle', 255),
    (2, 'rectification border', 255),
    (3, 'out of roi', 255),
    (4, 'static', 255),
    (5, 'dynamic', 255),
    (6, 'ground', 255),
    (7, 'road', 0),
    (8, 'sidewalk', 1),
    (9, 'parking', 255),
    (10, 'rail track', 255),
    (11, 'building', 2),
    (12, 'wall', 3),
    (13, 'fence', 4),
    (14, 'guard rail', 255),
    (15, 'bridge', 255),
    (16, 'tunnel', 255),
    (17, 'pole', 5),
    (18, 'polegroup', 255),
    (19, 'traffic light', 6),
    (20, 'traffic sign', 7),
    (21, 'vegetation', 8),
    (22, 'terrain', 9),
    (23, 'sky', 10),
    (24, 'person', 11),
    (25, 'rider', 12),
    (26, 'car', 13),
    (27, 'truck', 14),
    (28, 'bus', 15),
    (29, 'caravan', 255),
    (30, 'trailer', 255),
    (31, 'train', 16),
    (32, 'motorcycle', 17),
    (33, 'bicycle', 18),
    (255, 'license plate (id -1)', 255),
)


def id_to_train_id_lut() -> np.ndarray:
    """A 256-entry lookup table id -> train id; entries of unknown ids are -1."""
    lut = np.full(256, -1, np.int16)
    for label_id, _, train_id in LABELS:
        lut[label_id] = train_id
    return lut


LUT = id_to_train_id_lut()


def label_ids_to_train_ids(ids: np.ndarray, path: str = '<array>') -> np.ndarray:
    """Map a labelIds mask to train ids.

    Raises:
        ValueError: the mask has values that are no Cityscapes label id (names ``path`` and the values).
    """
    mapped = LUT[ids]
    if (mapped < 0).any():
        bad = np.unique(ids[mapped < 0]).tolist()
        raise ValueError(f'{path}: values {bad} are not Cityscapes label ids (0..33)')
    return mapped.astype(np.uint8)


def _convert_one(src: str) -> str:
    dst = src[:-len('_labelIds.png')] + '_labelTrainIds.png'
    try:
        with Image.open(src) as img:
            ids = np.array(img)
    except Exception as e:
        raise ValueError(f'cannot read {src}: {type(e).__name__}: {e}') from e
    if ids.ndim != 2 or ids.dtype != np.uint8:
        raise ValueError(f'{src}: expected a single-channel 8-bit labelIds PNG, got shape {ids.shape} {ids.dtype}')
    train_ids = label_ids_to_train_ids(ids, src)
    tmp = dst + '.tmp'
    Image.fromarray(train_ids).save(tmp, format='PNG')
    os.replace(tmp, dst)
    return dst


def find_label_id_files(root: str, gt_dir: str = 'gtFine', splits: Sequence[str] = ('train', 'val')) -> List[str]:
    """Sorted ``*_gtFine_labelIds.png`` paths of the given splits.

    Raises:
        FileNotFoundError: the root or a split folder is missing, or a split has no labelIds file.
    """
    if not osp.isdir(root):
        raise FileNotFoundError(f'Cityscapes root not found: {root}')
    files = []
    for split in splits:
        split_dir = osp.join(root, gt_dir, split)
        if not osp.isdir(split_dir):
            raise FileNotFoundError(f'folder not found: {split_dir} (extract gtFine_trainvaltest.zip into {root})')
        found = sorted(
            osp.join(dirpath, f) for dirpath, _, fnames in os.walk(split_dir) for f in fnames
            if f.endswith('_labelIds.png'))
        if not found:
            raise FileNotFoundError(f'no *_labelIds.png under {split_dir}')
        files += found
    return files


def convert(root: str, gt_dir: str = 'gtFine', splits: Sequence[str] = ('train', 'val'),
            nproc: int = 1) -> Dict[str, int]:
    """Write a ``*_labelTrainIds.png`` next to every ``*_labelIds.png``; returns the count per split."""
    counts = {}
    for split in splits:
        files = find_label_id_files(root, gt_dir, [split])
        if nproc > 1:
            with Pool(nproc) as pool:
                for _ in pool.imap_unordered(_convert_one, files, chunksize=32):
                    pass
        else:
            for f in files:
                _convert_one(f)
        counts[split] = len(files)
    return counts


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Convert Cityscapes gtFine labelIds to labelTrainIds')
    parser.add_argument('cityscapes_path', help='Cityscapes root (holds gtFine/ and leftImg8bit/)')
    parser.add_argument('--gt-dir', default='gtFine')
    parser.add_argument('--splits', nargs='+', default=['train', 'val'])
    parser.add_argument('--nproc', type=int, default=1, help='worker processes')
    return parser.parse_args(argv)


def main(argv=None) -> Dict[str, int]:
    args = parse_args(argv)
    counts = convert(args.cityscapes_path, args.gt_dir, args.splits, args.nproc)
    for split, n in counts.items():
        print(f'{split}: wrote {n} *_gtFine_labelTrainIds.png')
    return counts


if __name__ == '__main__':
    main()
