"""Convert the ISIC 2018 task 1 masks from 0/255 to 0/1 class indices.

Usage::

    python tools/dataset_converters/isic2018.py data/ISIC2018 [--parts Training Validation Test]

For each part found, reads ``ROOT/ISIC2018_Task1_<part>_GroundTruth/ISIC_<id>_segmentation.png`` (0 = background,
255 = lesion) and writes ``ROOT/ISIC2018_Task1_<part>_GroundTruth_01/ISIC_<id>_segmentation.png`` (0/1), each file
atomically (temporary file, then ``os.replace``). A mask holding any other value stops the run with the file and
the values named (a resized or JPEG-compressed mask would have intermediate values).
"""
import argparse
import os
import os.path as osp
from typing import Dict, Sequence

import numpy as np
from PIL import Image

PARTS = ('Training', 'Validation', 'Test')
SUFFIX = '_segmentation.png'


def convert_mask(src: str, dst: str) -> None:
    """Write the 0/1 version of one 0/255 mask.

    Raises:
        ValueError: the mask cannot be read, is not single-channel, or has values other than 0 and 255.
    """
    try:
        with Image.open(src) as img:
            mask = np.array(img)
    except Exception as e:
        raise ValueError(f'cannot read mask {src}: {type(e).__name__}: {e}') from e
    if mask.ndim != 2:
        raise ValueError(f'{src}: expected a single-channel mask, got shape {mask.shape}')
    bad = (mask != 0) & (mask != 255)
    if bad.any():
        raise ValueError(f'{src}: values {np.unique(mask[bad]).tolist()} in {int(bad.sum())} pixel(s); '
                         'an ISIC 2018 mask holds only 0 and 255')
    tmp = dst + '.tmp'
    Image.fromarray((mask == 255).astype(np.uint8)).save(tmp, format='PNG')
    os.replace(tmp, dst)


def convert(root: str, parts: Sequence[str] = PARTS, out_suffix: str = '_01') -> Dict[str, int]:
    """Convert every part of ``parts`` present under ``root``.

    Returns:
        dict: part -> number of masks written.

    Raises:
        FileNotFoundError: the root is missing, none of the parts' ground-truth folders exist, or one is empty.
    """
    if not osp.isdir(root):
        raise FileNotFoundError(f'ISIC 2018 root not found: {root}')
    counts = {}
    for part in parts:
        src_dir = osp.join(root, f'ISIC2018_Task1_{part}_GroundTruth')
        if not osp.isdir(src_dir):
            continue
        files = sorted(f for f in os.listdir(src_dir) if f.endswith(SUFFIX))
        if not files:
            raise FileNotFoundError(f'no *{SUFFIX} in {src_dir}')
        dst_dir = src_dir + out_suffix
        os.makedirs(dst_dir, exist_ok=True)
        for f in files:
            convert_mask(osp.join(src_dir, f), osp.join(dst_dir, f))
        counts[part] = len(files)
    if not counts:
        expected = ', '.join(osp.join(root, f'ISIC2018_Task1_{p}_GroundTruth') for p in parts)
        raise FileNotFoundError(f'no ISIC 2018 ground-truth folder found; expected one of: {expected}')
    return counts


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Convert ISIC 2018 task 1 masks from 0/255 to 0/1')
    parser.add_argument('root', help='ISIC 2018 folder (holds ISIC2018_Task1_*_GroundTruth/)')
    parser.add_argument('--parts', nargs='+', default=list(PARTS))
    parser.add_argument('--out-suffix', default='_01', help='suffix of the output folders')
    return parser.parse_args(argv)


def main(argv=None) -> Dict[str, int]:
    args = parse_args(argv)
    counts = convert(args.root, args.parts, args.out_suffix)
    for part, n in counts.items():
        print(f'{part}: wrote {n} masks to '
              f'{osp.join(args.root, f"ISIC2018_Task1_{part}_GroundTruth{args.out_suffix}")}')
    return counts


if __name__ == '__main__':
    main()
