"""Convert Pascal VOC 2012 + SBD (the "aug" set) to index masks and the 10582-image ``train_aug`` list.

Usage::

    python tools/dataset_converters/voc_aug.py data/VOCdevkit data/VOCdevkit/VOCaug [--nproc 2]

Inputs (as extracted from VOCtrainval_11-May-2012.tar and SBD's benchmark.tgz)::

    DEVKIT/VOC2012/SegmentationClass/<name>.png    palette PNGs (VOC train + val)
    DEVKIT/VOC2012/ImageSets/Segmentation/{train,val}.txt
    AUG/dataset/cls/<name>.mat                     SBD, struct GTcls with field Segmentation (H x W, 0..20)
    AUG/dataset/{train,val}.txt

Outputs::

    DEVKIT/VOC2012/SegmentationClassAug/<name>.png single-channel index masks (0..20, 255 = ignore): every SBD
                                                   mask, and the VOC mask wherever VOC has one (VOC's own
                                                   annotations, with their 255 borders, take precedence)
    DEVKIT/VOC2012/ImageSets/Segmentation/train_aug.txt
                                                   SBD train + SBD val + VOC train, minus VOC val (as mmseg's
                                                   converter's ``trainaug.txt``), sorted; 10582 names on the real
                                                   data
    DEVKIT/VOC2012/ImageSets/Segmentation/aug.txt  SBD train + val minus VOC train + val (mmseg's ``aug.txt``)

Every file is written atomically (temporary file, then ``os.replace``): an interrupted run leaves no half-written
mask. Bad input stops with the file named.
"""
import argparse
import os
import os.path as osp
import sys
from multiprocessing import Pool
from typing import Dict, List, Optional, Sequence

import numpy as np
from PIL import Image

AUG_LEN = 10582
VOC_VAL_LEN = 1449
NUM_CLASSES = 21
IGNORE = 255


def _save_png_atomic(mask: np.ndarray, path: str) -> None:
    tmp = path + '.tmp'
    Image.fromarray(mask).save(tmp, format='PNG')
    os.replace(tmp, path)


def _write_list_atomic(path: str, names: Sequence[str]) -> None:
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        f.write(''.join(f'{n}\n' for n in names))
    os.replace(tmp, path)


def _check_values(mask: np.ndarray, path: str, allow_ignore: bool) -> None:
    valid = mask < NUM_CLASSES
    if allow_ignore:
        valid |= mask == IGNORE
    if not valid.all():
        bad = np.unique(mask[~valid]).tolist()
        raise ValueError(f'{path}: values {bad} are not VOC class indices 0..{NUM_CLASSES - 1}'
                         + (f' or {IGNORE}' if allow_ignore else ''))


def read_sbd_mat(path: str) -> np.ndarray:
    """The ``GTcls.Segmentation`` index mask of an SBD ``cls/*.mat`` file, uint8 (H, W).

    Raises:
        ValueError: the file cannot be read or has no ``GTcls.Segmentation`` (the message names the file).
    """
    from scipy.io import loadmat
    try:
        data = loadmat(path)
        mask = data['GTcls'][0]['Segmentation'][0]
    except Exception as e:  # corrupt file, not a .mat, other struct
        raise ValueError(f'cannot read SBD annotation {path} (expected struct GTcls with field Segmentation): '
                         f'{type(e).__name__}: {e}') from e
    mask = np.asarray(mask)
    if mask.ndim != 2:
        raise ValueError(f'{path}: GTcls.Segmentation has shape {mask.shape}, expected (H, W)')
    if mask.min() < 0 or mask.max() > 255:
        raise ValueError(f'{path}: GTcls.Segmentation values outside 0..255')
    mask = mask.astype(np.uint8)
    _check_values(mask, path, allow_ignore=False)
    return mask


def read_voc_png(path: str) -> np.ndarray:
    """The class indices of a VOC ``SegmentationClass`` PNG (palette or single-channel), uint8 (H, W)."""
    try:
        with Image.open(path) as img:
            if img.mode not in ('P', 'L'):
                raise ValueError(f'mode {img.mode!r}: expected a palette (P) or single-channel (L) PNG')
            mask = np.array(img, dtype=np.uint8)
    except Exception as e:
        raise ValueError(f'cannot read VOC mask {path}: {type(e).__name__}: {e}') from e
    _check_values(mask, path, allow_ignore=True)
    return mask


def _convert_one(job) -> str:
    name, src, kind, out_path = job
    mask = read_voc_png(src) if kind == 'voc' else read_sbd_mat(src)
    _save_png_atomic(mask, out_path)
    return name


def _read_list(path: str) -> List[str]:
    if not osp.isfile(path):
        raise FileNotFoundError(f'list file not found: {path}')
    with open(path) as f:
        return [line.strip() for line in f if line.strip()]


def convert(devkit_path: str, aug_path: str, out_dir: Optional[str] = None, nproc: int = 1) -> Dict[str, int]:
    """Write ``SegmentationClassAug/`` and ``train_aug.txt`` / ``aug.txt``.

    Args:
        devkit_path: the ``VOCdevkit`` folder (holding ``VOC2012/``).
        aug_path: the SBD folder holding ``dataset/cls`` (e.g. ``VOCdevkit/VOCaug``).
        out_dir: mask output folder. Defaults to ``<devkit>/VOC2012/SegmentationClassAug``.
        nproc: worker processes.

    Returns:
        dict: counts: ``masks`` written, ``from_voc``, ``from_sbd``, ``train_aug``, ``aug``.

    Raises:
        FileNotFoundError: an input folder / list file / an image of ``train_aug`` / a mask is missing.
        ValueError: an annotation cannot be read or has values that are not VOC classes.
    """
    voc_root = osp.join(devkit_path, 'VOC2012')
    seg_class = osp.join(voc_root, 'SegmentationClass')
    sets_dir = osp.join(voc_root, 'ImageSets', 'Segmentation')
    cls_dir = osp.join(aug_path, 'dataset', 'cls')
    for d in (voc_root, seg_class, sets_dir, cls_dir):
        if not osp.isdir(d):
            raise FileNotFoundError(f'folder not found: {d} (extract VOCtrainval_11-May-2012.tar into the devkit '
                                    'path and SBD benchmark.tgz so that AUG/dataset/cls exists)')
    out_dir = out_dir or osp.join(voc_root, 'SegmentationClassAug')
    os.makedirs(out_dir, exist_ok=True)

    voc_train = _read_list(osp.join(sets_dir, 'train.txt'))
    voc_val = _read_list(osp.join(sets_dir, 'val.txt'))
    sbd_names = _read_list(osp.join(aug_path, 'dataset', 'train.txt')) + \
        _read_list(osp.join(aug_path, 'dataset', 'val.txt'))

    voc_names = sorted(set(voc_train) | set(voc_val))
    mat_names = sorted(f[:-4] for f in os.listdir(cls_dir) if f.endswith('.mat'))
    missing_mat = sorted(set(sbd_names) - set(mat_names))
    if missing_mat:
        raise FileNotFoundError(f'{len(missing_mat)} SBD annotation(s) listed by {aug_path}/dataset/{{train,val}}.txt '
                                f'missing, e.g. {osp.join(cls_dir, missing_mat[0] + ".mat")}')
    missing_png = [n for n in voc_names if not osp.isfile(osp.join(seg_class, n + '.png'))]
    if missing_png:
        raise FileNotFoundError(f'{len(missing_png)} VOC mask(s) listed by {sets_dir}/{{train,val}}.txt missing, '
                                f'e.g. {osp.join(seg_class, missing_png[0] + ".png")}')

    train_aug = sorted((set(voc_train) | set(sbd_names)) - set(voc_val))
    aug_only = sorted(set(sbd_names) - set(voc_train) - set(voc_val))
    missing_img = [n for n in train_aug if not osp.isfile(osp.join(voc_root, 'JPEGImages', n + '.jpg'))]
    if missing_img:
        raise FileNotFoundError(f'{len(missing_img)} image(s) of train_aug missing from JPEGImages, e.g. '
                                f'{osp.join(voc_root, "JPEGImages", missing_img[0] + ".jpg")}')

    jobs = [(n, osp.join(seg_class, n + '.png'), 'voc', osp.join(out_dir, n + '.png')) for n in voc_names]
    voc_set = set(voc_names)
    jobs += [(n, osp.join(cls_dir, n + '.mat'), 'sbd', osp.join(out_dir, n + '.png'))
             for n in mat_names if n not in voc_set]
    if nproc > 1:
        with Pool(nproc) as pool:
            for _ in pool.imap_unordered(_convert_one, jobs, chunksize=64):
                pass
    else:
        for job in jobs:
            _convert_one(job)

    _write_list_atomic(osp.join(sets_dir, 'train_aug.txt'), train_aug)
    _write_list_atomic(osp.join(sets_dir, 'aug.txt'), aug_only)
    n_voc = len(voc_names)
    counts = dict(masks=len(jobs), from_voc=n_voc, from_sbd=len(jobs) - n_voc, train_aug=len(train_aug),
                  aug=len(aug_only))
    if len(voc_val) == VOC_VAL_LEN and len(train_aug) != AUG_LEN:
        print(f'warning: train_aug has {len(train_aug)} names, expected {AUG_LEN} for the full VOC2012 + SBD',
              file=sys.stderr)
    return counts


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Convert Pascal VOC 2012 + SBD annotations to index masks and '
                                     'write ImageSets/Segmentation/train_aug.txt')
    parser.add_argument('devkit_path', help='VOCdevkit folder (holds VOC2012/)')
    parser.add_argument('aug_path', help='SBD folder (holds dataset/cls/*.mat), e.g. VOCdevkit/VOCaug')
    parser.add_argument('-o', '--out-dir', help='mask output folder (default DEVKIT/VOC2012/SegmentationClassAug)')
    parser.add_argument('--nproc', type=int, default=1, help='worker processes')
    return parser.parse_args(argv)


def main(argv=None) -> Dict[str, int]:
    args = parse_args(argv)
    counts = convert(args.devkit_path, args.aug_path, args.out_dir, args.nproc)
    print(f'wrote {counts["masks"]} masks ({counts["from_voc"]} from VOC SegmentationClass, {counts["from_sbd"]} '
          f'from SBD); train_aug.txt: {counts["train_aug"]} names, aug.txt: {counts["aug"]} names')
    return counts


if __name__ == '__main__':
    main()
