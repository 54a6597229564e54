"""Write the labeled / unlabeled split files of the paper's settings.

Usage::

    python tools/make_splits.py voc --data-root data/VOCdevkit/VOC2012        # 1pct, 2pct, 5pct of train_aug
    python tools/make_splits.py cityscapes --data-root data/cityscapes         # 100, 372 images
    python tools/make_splits.py isic2017 --data-root data/ISIC2017             # 10, 20, 50 images
    python tools/make_splits.py demo --data-root data/demo                     # 1pct, 2pct, 5pct, 10pct
    python tools/make_splits.py --list my_train.txt --num 30 --name mydata/30  # any list file
    python tools/make_splits.py --list my_train.txt --fraction 0.1 --name mydata/10pct

Each setting goes to ``OUT/<dataset>/<setting>/{labeled,unlabeled}.txt`` (OUT defaults to the repository's
``data/splits``, the folder the configs read). The choice is deterministic: it depends only on the set of names
(sorted first), the count and ``--seed`` (:func:`densessl.datasets.splits.make_split`). The full training list
comes from the dataset class, which checks that every image exists: for VOC the converter's ``train_aug.txt``, for
Cityscapes / ISIC every image of the training folder (sorted), for the demo data its ``train.txt``.
"""
import argparse
import importlib
import os.path as osp
import sys
from typing import Dict, List, Optional, Tuple

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEFAULT_OUT = osp.join(REPO_ROOT, 'data', 'splits')

#: dataset -> how to list its training images and the paper's settings (name -> num_labeled / fraction)
DATASET_SPLITS = {
    'voc':
    dict(
        type='densessl.datasets.voc:PascalVOCAugDataset',
        data_root='data/VOCdevkit/VOC2012',
        img_path='JPEGImages',
        ann_file='ImageSets/Segmentation/train_aug.txt',
        full_size=10582,
        settings={
            '1pct': dict(fraction=0.01),
            '2pct': dict(fraction=0.02),
            '5pct': dict(fraction=0.05)
        }),
    'cityscapes':
    dict(
        type='densessl.datasets.cityscapes:CityscapesTrainIdsDataset',
        data_root='data/cityscapes',
        img_path='leftImg8bit/train',
        ann_file='',
        full_size=2975,
        settings={
            '100': dict(num_labeled=100),
            '372': dict(num_labeled=372)
        }),
    'isic2017':
    dict(
        type='densessl.datasets.isic2017:ISIC2017Dataset',
        data_root='data/ISIC2017',
        img_path='ISIC-2017_Training_Data',
        ann_file='',
        full_size=2000,
        settings={
            '10': dict(num_labeled=10),
            '20': dict(num_labeled=20),
            '50': dict(num_labeled=50)
        }),
    'demo':
    dict(
        type='densessl.datasets.base:SplitSegDataset',
        data_root='data/demo',
        img_path='JPEGImages',
        ann_file='ImageSets/Segmentation/train.txt',
        full_size=1000,
        settings={
            '1pct': dict(fraction=0.01),
            '2pct': dict(fraction=0.02),
            '5pct': dict(fraction=0.05),
            '10pct': dict(fraction=0.10)
        }),
}


def list_training_names(dataset: str, data_root: Optional[str] = None) -> Tuple[List[str], str]:
    """Every training sample name of ``dataset``, checked against the image folder.

    Returns:
        (names, source): the names in listing order and where they came from (list file or folder).
    """
    spec = DATASET_SPLITS[dataset]
    module, cls_name = spec['type'].split(':')
    cls = getattr(importlib.import_module(module), cls_name)
    ds = cls(
        data_root=data_root or spec['data_root'],
        data_prefix=dict(img_path=spec['img_path']),
        ann_file=spec['ann_file'],
        with_label=False,
        lazy_init=True,
        serialize_data=False)
    names = [info['sample_name'] for info in ds.load_data_list()]
    return names, ds.ann_file or ds.data_prefix['img_path']


def write_one(names: List[str], out_dir: str, seed: int, num_labeled: Optional[int] = None,
              fraction: Optional[float] = None, source: str = '') -> Tuple[int, int]:
    """Make one split and write it; returns (labeled, unlabeled) counts."""
    from densessl.datasets.splits import make_split, write_split
    if num_labeled is not None and num_labeled > len(names):
        raise ValueError(f'cannot label {num_labeled} images: {source or "the list"} has only {len(names)}')
    labeled, unlabeled = make_split(names, num_labeled=num_labeled, fraction=fraction, seed=seed)
    write_split(out_dir, labeled, unlabeled)
    print(f'{out_dir}/{{labeled,unlabeled}}.txt: {len(labeled)} labeled, {len(unlabeled)} unlabeled '
          f'(of {len(names)}, seed {seed})')
    return len(labeled), len(unlabeled)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Write labeled/unlabeled split files (data/splits/<dataset>/'
                                     '<setting>/{labeled,unlabeled}.txt)')
    parser.add_argument('dataset', nargs='?', choices=sorted(DATASET_SPLITS),
                        help="a dataset: write the paper's settings (optional with --list: the output sub-folder)")
    parser.add_argument('--data-root', help='dataset root (default: the configs\' data/... folder)')
    parser.add_argument('--out', default=DEFAULT_OUT, help=f'output folder (default {DEFAULT_OUT})')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--list', help='generic mode: a list file of all training names, one per line')
    group = parser.add_mutually_exclusive_group()
    group.add_argument('--num', type=int, help='generic mode: number of labeled names')
    group.add_argument('--fraction', type=float, help='generic mode: share of labeled names, in (0, 1]')
    parser.add_argument('--name', help='generic mode: setting name (output sub-folder, may contain "/")')
    args = parser.parse_args(argv)
    if args.list is None:
        if args.dataset is None:
            parser.error('give a dataset, or --list with --num/--fraction and --name')
        if args.num is not None or args.fraction is not None or args.name is not None:
            parser.error('--num/--fraction/--name belong to the generic mode: add --list FILE')
    else:
        if args.num is None and args.fraction is None:
            parser.error('--list needs --num N or --fraction F')
        if not args.name:
            parser.error('--list needs --name NAME')
    return args


def main(argv=None) -> Dict[str, Tuple[int, int]]:
    """Run the tool; returns ``{output folder: (labeled, unlabeled)}``."""
    args = parse_args(argv)
    written = {}
    if args.list is not None:
        from densessl.datasets.splits import read_split_file
        names = read_split_file(args.list)
        out_dir = osp.join(args.out, args.dataset, args.name) if args.dataset else osp.join(args.out, args.name)
        written[out_dir] = write_one(names, out_dir, args.seed, args.num, args.fraction, source=args.list)
        return written
    spec = DATASET_SPLITS[args.dataset]
    names, source = list_training_names(args.dataset, args.data_root)
    if len(names) != spec['full_size']:
        print(f'note: {source} lists {len(names)} images; the full {args.dataset} training set has '
              f'{spec["full_size"]}', file=sys.stderr)
    for setting, amount in spec['settings'].items():
        out_dir = osp.join(args.out, args.dataset, setting)
        written[out_dir] = write_one(names, out_dir, args.seed, source=source, **amount)
    return written


if __name__ == '__main__':
    main()
