"""Convert the ISIC 2018 task 1 masks from 0/255 to 0/1 class indices.

Usage::

    python tools/dataset_converters/isic2018.py data/ISIC2018 [--parts Training Validation Test]

For each part found, reads ``ROOT/ISIC2018_Task1_<part>_GroundTruth/ISIC_<id>_segmentation.png`` (0 = background,
255 = lesion) and writes ``ROOT/ISIC2018_Task1_<part>_GroundTruth_01/ISIC_<id>_segmentation.png`` (0/1), each file
atomically (temporary file, then ``os.replace``). A mask holding any other value stops the run with the file and
the values named (a resized or JPEG-compressed mask would have intermediate values).
"""
import argparse
import os.path as osp
import sys
from typing import Dict, Sequence

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
import isic2017  # noqa: E402  (the same conversion, other folder names)

PARTS = ('Training', 'Validation', 'Test')
NAME = 'ISIC 2018'
FOLDER = 'ISIC2018_Task1_{part}_GroundTruth'


def convert_mask(src: str, dst: str) -> None:
    """Write the 0/1 version of one 0/255 mask (:func:`isic2017.convert_mask`)."""
    isic2017.convert_mask(src, dst, NAME)


def convert(root: str, parts: Sequence[str] = PARTS, out_suffix: str = '_01') -> Dict[str, int]:
    """Convert every part of ``parts`` present under ``root`` (:func:`isic2017.convert`); part -> masks written."""
    return isic2017.convert(root, parts, out_suffix, NAME, FOLDER)


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
        print(f'{part}: wrote {n} masks to {osp.join(args.root, FOLDER.format(part=part) + args.out_suffix)}')
    return counts


if __name__ == '__main__':
    main()
