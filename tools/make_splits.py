"""Write the labeled / unlabeled split files of the paper's settings.

Usage::

    python tools/make_splits.py voc --data-root data/VOCdevkit/VOC2012        # 1/2/5pct; 92, 183, 366, 732, 1464
    python tools/make_splits.py cityscapes --data-root data/cityscapes         # 100, 186, 372 images
    python tools/make_splits.py isic2017 --data-root data/ISIC2017             # 10, 20, 50 images
    python tools/make_splits.py demo --data-root data/demo                     # 1pct, 2pct, 5pct, 10pct
    python tools/make_splits.py isic2018 --data-root data/ISIC2018             # 10, 20, 50 images
    python tools/make_splits.py kvasir --data-root data/Kvasir-SEG             # 10, 20, 50 of train.txt
    python tools/make_splits.py acdc                                           # 1, 3, 7 cases (no data needed)
    python tools/make_splits.py --list my_train.txt --num 30 --name mydata/30  # any list file
    python tools/make_splits.py --list my_train.txt --fraction 0.1 --name mydata/10pct
    python tools/make_splits.py --folder data/mydata/images --num 20 --name mydata    # any image folder
    python tools/make_splits.py --folder data/mydata/images --ann-dir data/mydata/masks --fraction 0.1 \
        --val-fraction 0.2 --name mydata/10pct

``--folder`` lists every image of the folder (one suffix, found or ``--img-suffix``), holds out a validation set
first (``--val-num`` or ``--val-fraction``, default 0.2; 0 for none; with ``--ann-dir`` only images that have a
mask are chosen for validation or labels) and writes ``labeled.txt``, ``unlabeled.txt`` and ``val.txt`` into
``OUT/<name>`` (name: ``--name``, else the name of the folder's parent). ``acdc`` writes UniMatch's split files
(``labeled.txt``, ``unlabeled.txt``, ``val.txt``, ``test.txt`` of the 1 / 3 / 7-case settings) from the case table
in :mod:`densessl.datasets.acdc`; it needs no data.

Each setting goes to ``OUT/<dataset>/<setting>/{labeled,unlabeled}.txt`` (OUT defaults to the repository's
``data/splits``, the folder the configs read). The choice is deterministic: it depends only on the set of names
(sorted first), the count and ``--seed`` (:func:`densessl.datasets.splits.make_split`). The full training list
comes from the dataset class, which checks that every image exists: for VOC the converter's ``train_aug.txt``, for
Cityscapes / ISIC every image of the training folder (sorted), for the demo data its ``train.txt``, for Kvasir-SEG
the converter's ``train.txt``.

UniMatch's "classic" VOC settings (``92``, ``183``, ``366``, ``732``, ``1464``) draw the labeled images from the 1464
finely annotated VOC 2012 ``ImageSets/Segmentation/train.txt`` images only (``labeled_from``) and leave every other
``train_aug`` image unlabeled, as UniMatch's ``splits/pascal/<n>``; ``1464`` labels all of them.
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
            '5pct': dict(fraction=0.05),
            # UniMatch's classic settings: labels from the 1464 VOC train images, the rest of train_aug unlabeled
            '92': dict(num_labeled=92, labeled_from='ImageSets/Segmentation/train.txt'),
            '183': dict(num_labeled=183, labeled_from='ImageSets/Segmentation/train.txt'),
            '366': dict(num_labeled=366, labeled_from='ImageSets/Segmentation/train.txt'),
            '732': dict(num_labeled=732, labeled_from='ImageSets/Segmentation/train.txt'),
            '1464': dict(num_labeled=1464, labeled_from='ImageSets/Segmentation/train.txt'),
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
            '186': dict(num_labeled=186),  # UniMatch's 1/16
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
    'isic2018':
    dict(
        type='densessl.datasets.isic2018:ISIC2018Dataset',
        data_root='data/ISIC2018',
        img_path='ISIC2018_Task1-2_Training_Input',
        ann_file='',
        full_size=2594,
        settings={
            '10': dict(num_labeled=10),
            '20': dict(num_labeled=20),
            '50': dict(num_labeled=50)
        }),
    'kvasir':
    dict(
        type='densessl.datasets.kvasir:KvasirSEGDataset',
        data_root='data/Kvasir-SEG',
        img_path='images',
        ann_file='train.txt',
        full_size=800,
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
#: ACDC: labeled cases per setting (the split files come from the case table, not from the data)
ACDC_SETTINGS = (1, 3, 7)


def list_training_names(dataset: str, data_root: Optional[str] = None,
                        ann_file: Optional[str] = None) -> Tuple[List[str], str]:
    """Every training sample name of ``dataset`` (or of the list ``ann_file``, relative to the root), checked
    against the image folder.

    Returns:
        (names, source): the names in listing order and where they came from (list file or folder).
    """
    spec = DATASET_SPLITS[dataset]
    module, cls_name = spec['type'].split(':')
    cls = getattr(importlib.import_module(module), cls_name)
    ds = cls(
        data_root=data_root or spec['data_root'],
        data_prefix=dict(img_path=spec['img_path']),
        ann_file=spec['ann_file'] if ann_file is None else ann_file,
        with_label=False,
        lazy_init=True,
        serialize_data=False)
    names = [info['sample_name'] for info in ds.load_data_list()]
    return names, ds.ann_file or ds.data_prefix['img_path']


def split_one(names: List[str], seed: int, num_labeled: Optional[int] = None, fraction: Optional[float] = None,
              source: str = '', pool: Optional[List[str]] = None,
              pool_source: str = '') -> Tuple[List[str], List[str]]:
    """The (labeled, unlabeled) names of one split. With ``pool`` the labeled images are drawn from ``pool`` only
    (a subset of ``names``) and every other name is unlabeled."""
    from densessl.datasets.splits import make_split
    candidates = names if pool is None else pool
    where = (source or 'the list') if pool is None else (pool_source or 'the labeled pool')
    if num_labeled is not None and num_labeled > len(candidates):
        raise ValueError(f'cannot label {num_labeled} images: {where} has only {len(candidates)}')
    if pool is not None:
        outside = sorted(set(pool) - set(names))
        if outside:
            raise ValueError(f'{pool_source or "the labeled pool"} lists {len(outside)} image(s) that '
                             f'{source or "the training list"} lacks (e.g. {outside[0]}): the labeled images must be '
                             'training images')
    labeled = make_split(candidates, num_labeled=num_labeled, fraction=fraction, seed=seed)[0]
    chosen = set(labeled)
    return labeled, sorted(n for n in names if n not in chosen)


def write_one(names: List[str], out_dir: str, seed: int, num_labeled: Optional[int] = None,
              fraction: Optional[float] = None, source: str = '',
              split: Optional[Tuple[List[str], List[str]]] = None) -> Tuple[int, int]:
    """Make one split (or take ``split``, made by :func:`split_one`) and write it; returns (labeled, unlabeled)
    counts."""
    from densessl.datasets.splits import write_split
    labeled, unlabeled = split or split_one(names, seed, num_labeled, fraction, source)
    write_split(out_dir, labeled, unlabeled)
    print(f'{out_dir}/{{labeled,unlabeled}}.txt: {len(labeled)} labeled, {len(unlabeled)} unlabeled '
          f'(of {len(names)}, seed {seed})')
    return len(labeled), len(unlabeled)


def write_acdc(out: str) -> Dict[str, Tuple[int, int]]:
    """UniMatch's ACDC split files (1 / 3 / 7 cases) into ``out/acdc/<cases>/``."""
    from densessl.datasets.acdc import acdc_split_lines
    from densessl.datasets.splits import write_split_lines
    written = {}
    for cases in ACDC_SETTINGS:
        lines = acdc_split_lines(cases)
        out_dir = osp.join(out, 'acdc', str(cases))
        write_split_lines(out_dir, lines)
        written[out_dir] = (len(lines['labeled']), len(lines['unlabeled']))
        print(f'{out_dir}: {cases} case(s): {len(lines["labeled"])} labeled / {len(lines["unlabeled"])} unlabeled '
              f'slices, {len(lines["val"])} val / {len(lines["test"])} test volumes')
    return written


def folder_split(folder: str, num: Optional[int] = None, fraction: Optional[float] = None,
                 val_num: Optional[int] = None, val_fraction: Optional[float] = 0.2, ann_dir: Optional[str] = None,
                 img_suffix: Optional[str] = None, seg_map_suffix: Optional[str] = None,
                 seed: int = 0) -> Dict[str, List[str]]:
    """Labeled / unlabeled / val names of every image of ``folder``.

    The validation set is drawn first (``val_num`` images, or ``val_fraction`` of them rounded, at least 1 when
    the fraction is > 0), then ``num`` (or ``fraction`` of the remaining training images) labeled ones; the rest is
    unlabeled. With ``ann_dir`` only images that have a mask there can be validation or labeled images.

    Returns:
        dict: ``labeled``, ``unlabeled``, ``val`` (sorted name lists; ``val`` empty when no validation set).

    Raises:
        FileNotFoundError: missing folder(s); ValueError: too few images (with masks) for the request.
    """
    from densessl.datasets.folder import _files, find_image_suffix, find_mask_suffix
    from densessl.datasets.splits import make_split
    suffix = img_suffix or find_image_suffix(folder)
    names = sorted(f[:-len(suffix)] for f in _files(folder) if f.endswith(suffix))
    if not names:
        raise ValueError(f'no image ending with {suffix!r} in {folder}')
    candidates = names
    if ann_dir is not None:
        mask_suffix = seg_map_suffix or find_mask_suffix(ann_dir, names)
        candidates = [n for n in names if osp.isfile(osp.join(ann_dir, n + mask_suffix))]
        print(f'{len(candidates)} of {len(names)} images have a mask in {ann_dir} (*{mask_suffix})')
        if not candidates:
            raise ValueError(f'no image of {folder} has a mask in {ann_dir}')
    if val_num is None:
        val_num = 0 if not val_fraction else max(1, int(round(val_fraction * len(candidates))))
    if val_num >= len(candidates):
        raise ValueError(f'cannot hold out {val_num} validation images: only {len(candidates)} candidates '
                         f'(images{" with masks" if ann_dir else ""}) and some must remain for training')
    val = make_split(candidates, num_labeled=val_num, seed=seed)[0] if val_num > 0 else []
    held = set(val)
    pool = [n for n in candidates if n not in held]
    if fraction is not None:
        num = max(1, int(round(fraction * len(pool))))
    if num > len(pool):
        raise ValueError(f'cannot label {num} images: {len(pool)} training images'
                         f'{" with masks" if ann_dir else ""} remain after the {len(val)} validation images')
    chosen = set(make_split(pool, num_labeled=num, seed=seed)[0])
    labeled = sorted(chosen)
    unlabeled = [n for n in names if n not in chosen and n not in held]
    return dict(labeled=labeled, unlabeled=unlabeled, val=sorted(val))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Write labeled/unlabeled split files (data/splits/<dataset>/'
                                     '<setting>/{labeled,unlabeled}.txt)')
    parser.add_argument('dataset', nargs='?', choices=sorted(DATASET_SPLITS) + ['acdc'],
                        help="a dataset: write the paper's settings (optional with --list: the output sub-folder)")
    parser.add_argument('--data-root', help='dataset root (default: the configs\' data/... folder)')
    parser.add_argument('--out', default=DEFAULT_OUT, help=f'output folder (default {DEFAULT_OUT})')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--list', help='generic mode: a list file of all training names, one per line')
    parser.add_argument('--folder', help='folder mode: an image folder (every image is a training candidate)')
    parser.add_argument('--ann-dir', help='folder mode: mask folder; only images with a mask can be val/labeled')
    parser.add_argument('--img-suffix', help='folder mode: image ending (default: the folder\'s one suffix)')
    parser.add_argument('--seg-map-suffix', help='folder mode: mask ending (default: found in --ann-dir)')
    vgroup = parser.add_mutually_exclusive_group()
    vgroup.add_argument('--val-num', type=int, help='folder mode: validation images held out (0: none)')
    vgroup.add_argument('--val-fraction', type=float, default=0.2,
                        help='folder mode: share of images held out for validation (default 0.2; 0: none)')
    group = parser.add_mutually_exclusive_group()
    group.add_argument('--num', type=int, help='generic mode: number of labeled names')
    group.add_argument('--fraction', type=float, help='generic mode: share of labeled names, in (0, 1]')
    parser.add_argument('--name', help='generic mode: setting name (output sub-folder, may contain "/")')
    args = parser.parse_args(argv)
    if args.list is not None and args.folder is not None:
        parser.error('give --list or --folder, not both')
    if args.folder is not None:
        if args.num is None and args.fraction is None:
            parser.error('--folder needs --num N or --fraction F')
        if args.dataset is not None:
            parser.error('--folder takes no dataset name (use --name)')
        return args
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
    if args.folder is not None:
        from densessl.datasets.splits import write_split_lines
        if not osp.isdir(args.folder):
            raise FileNotFoundError(f'image folder not found: {args.folder}')
        parts = folder_split(args.folder, args.num, args.fraction, args.val_num, args.val_fraction, args.ann_dir,
                             args.img_suffix, args.seg_map_suffix, args.seed)
        name = args.name or osp.basename(osp.dirname(osp.abspath(args.folder)))
        out_dir = osp.join(args.out, name)
        write_split_lines(out_dir, {k: v for k, v in parts.items() if v or k != 'val'})
        print(f'{out_dir}/: {len(parts["labeled"])} labeled, {len(parts["unlabeled"])} unlabeled, '
              f'{len(parts["val"])} val (of {sum(map(len, parts.values()))} images, seed {args.seed})')
        written[out_dir] = (len(parts['labeled']), len(parts['unlabeled']))
        return written
    if args.dataset == 'acdc':
        return write_acdc(args.out)
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
    pools, splits = {}, {}  # sub-list -> (names, source), read once; every split made before any is written
    for setting, amount in spec['settings'].items():
        out_dir = osp.join(args.out, args.dataset, setting)
        amount = dict(amount)
        if 'labeled_from' in amount:  # labels from a sub-list only (UniMatch's VOC settings)
            sub_list = amount.pop('labeled_from')
            root = args.data_root or spec['data_root']
            if not osp.isfile(osp.join(root, sub_list)):
                print(f'note: skipped {args.dataset} {setting}: its labels come from {sub_list}, which is not in '
                      f'{root} (VOC 2012 ships it with ImageSets/Segmentation)', file=sys.stderr)
                continue
            if sub_list not in pools:
                pools[sub_list] = list_training_names(args.dataset, args.data_root, sub_list)
            amount['pool'], amount['pool_source'] = pools[sub_list]
        splits[out_dir] = split_one(names, args.seed, source=source, **amount)
    for out_dir, split in splits.items():
        written[out_dir] = write_one(names, out_dir, args.seed, split=split)
    return written


if __name__ == '__main__':
    main()
