"""Convert the ISIC 2017 task 1 masks from 0/255 to 0/1 class indices.

Usage::

    python tools/dataset_converters/isic2017.py data/ISIC2017 [--parts Training Validation Test_v2]

For each part found, reads ``ROOT/ISIC-2017_<part>_Part1_GroundTruth/ISIC_<id>_segmentation.png`` (0 = background,
255 = lesion) and writes ``ROOT/ISIC-2017_<part>_Part1_GroundTruth_01/ISIC_<id>_segmentation.png`` (0/1), each file
atomically (temporary file, then ``os.replace``). A mask holding any other value stops the run with the file and
the values named (a resized or JPEG-compressed mask would have intermediate values).
"""
import argparse
import os
import os.path as osp
from typing import Dict, Sequence

import numpy as np
from PIL import Image

PARTS = ('Training', 'Validation', 'Test_v2')
SUFFIX = '_segmentation.png'
NAME = 'ISIC 2017'
FOLDER = 'ISIC-2017_{part}_Part1_GroundTruth'  # one ground-truth folder per part


def convert_mask(src: str, dst: str, name: str = NAME) -> None:
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
                         f'an {name} mask holds only 0 and 255')
    tmp = dst + '.tmp'
    Image.fromarray((mask == 255).astype(np.uint8)).save(tmp, format='PNG')
    os.replace(tmp, dst)


def convert(root: str, parts: Sequence[str] = PARTS, out_suffix: str = '_01', name: str = NAME,
            folder: str = FOLDER) -> Dict[str, int]:
    """Convert every part of ``parts`` present under ``root`` (``folder`` names a part's ground-truth folder).

    Returns:
        dict: part -> number of masks written.

    Raises:
        FileNotFoundError: the root is missing, none of the parts' ground-truth folders exist, or one is empty.
    """
    if not osp.isdir(root):
        raise FileNotFoundError(f'{name} root not found: {root}')
    counts = {}
    for part in parts:
        src_dir = osp.join(root, folder.format(part=part))
        if not osp.isdir(src_dir):
            continue
        files = sorted(f for f in os.listdir(src_dir) if f.endswith(SUFFIX))
        if not files:
            raise FileNotFoundError(f'no *{SUFFIX} in {src_dir}')
        dst_dir = src_dir + out_suffix
        os.makedirs(dst_dir, exist_ok=True)
        for f in files:
            convert_mask(osp.join(src_dir, f), osp.join(dst_dir, f), name)
        counts[part] = len(files)
    if not counts:
        expected = ', '.join(osp.join(root, folder.format(part=p)) for p in parts)
        raise FileNotFoundError(f'no {name} ground-truth folder found; expected one of: {expected}')
    return counts


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Convert ISIC 2017 task 1 masks from 0/255 to 0/1')
    parser.add_argument('root', help='ISIC 2017 folder (holds ISIC-2017_*_Part1_GroundTruth/)')
    parser.add_argument('--parts', nargs='+', default=list(PARTS))
    parser.add_argument('--out-suffix', default='_01', help='suffix of the output folders')
    return parser.parse_args(argv)


def main(argv=None) -> Dict[str, int]:
    args = parse_args(argv)
    counts = convert(args.root, args.parts, args.out_suffix)
    for part, n in counts.items():
        print(f'{part}: wrote {n} masks to '
              f'{osp.join(args.root, f"ISIC-2017_{part}_Part1_GroundTruth{args.out_suffix}")}')
    return counts


if __name__ == '__main__':
    main()
