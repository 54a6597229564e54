"""Make the embedded demo data (Fashion-MNIST scenes in the VOC layout) and its split files.

The scenes come from the generator :func:`densessl.utils.demo_scenes.generate_demo_dataset` (which tools/train.py
also calls when a config names demo data that is not on disk yet); this tool adds the split files and the h5 form.

    python tools/misc/make_demo_data.py                      # data/demo + data/splits/demo/{1,2,5,10}pct
    python tools/misc/make_demo_data.py --overwrite --seed 1
    python tools/misc/make_demo_data.py --source             # data/demo_source: the stand-in for ImageNet
    python tools/misc/make_demo_data.py --h5                 # + data/demo_acdc (ACDC h5 layout), splits 1/3/7

``--h5`` writes the demo scenes in the medical form: each scene as a one-channel slice (gray, float in [0, 1]),
``--slices-per-volume`` consecutive scenes (default 8) stacked into a "case" volume, in the ACDC h5 layout of
SSL4MIS / UniMatch (``data/demo_acdc/data/slices/caseNNN_frame01_slice_K.h5`` and ``data/demo_acdc/data/
caseNNN_frame01.h5``; validation volumes ``valcaseNNN_frame01``), and the split files
``data/splits/demo_acdc/{1,3,7}/{labeled,unlabeled,val,test}.txt`` (the first 1 / 3 / 7 cases labeled; the
validation volumes are also the test set). The stacked scenes are independent pictures, so a "volume" has no 3D
anatomy: it exercises the volume path (per-volume Dice / HD95) on real pixels, in CI-sized time.

Does nothing (in a second) when the data is already there with the same parameters. Split files already in
``data/splits/demo`` are checked against the data, not rewritten (they are part of the repository).
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from densessl.utils.demo_scenes import generate_demo_dataset  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--out', help='output folder (default data/demo, data/demo_source with --source)')
    p.add_argument('--source', action='store_true',
                   help='write the source scenes (the six other Fashion-MNIST classes, fully labeled; supervised '
                   'pretraining on them stands in for ImageNet weights) instead of the demo scenes')
    p.add_argument('--fmnist-root', help='Fashion-MNIST folder (default: $DENSESSL_FMNIST_ROOT, '
                   '/usr/share/datasets/fashion-mnist, data/fashion_mnist)')
    p.add_argument('--num-train', type=int, help='training scenes (default 1000)')
    p.add_argument('--num-val', type=int, default=200)
    p.add_argument('--size', type=int, default=128)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--overwrite', action='store_true', help='regenerate even if the folder exists')
    p.add_argument('--splits-out', default='data/splits', help='where the demo split files live')
    p.add_argument('--h5', action='store_true', help='also write the demo scenes in the ACDC h5 layout')
    p.add_argument('--h5-out', default='data/demo_acdc', help='output of --h5 (default data/demo_acdc)')
    p.add_argument('--slices-per-volume', type=int, default=8, help='scenes stacked into one --h5 volume')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.h5 and args.source:
        raise SystemExit('[make_demo_data] --h5 writes the demo scenes, not the source scenes: drop --source')
    params = make_voc_layout(args)
    if args.h5:
        h5_params = make_h5_layout(args.out, args.h5_out, args.slices_per_volume, args.overwrite)
        ensure_h5_splits(args.h5_out, args.splits_out, h5_params)
    return params


H5_SETTINGS = (1, 3, 7)


def _gray(path: str) -> np.ndarray:
    from PIL import Image
    with Image.open(path) as img:
        return np.asarray(img.convert('L'), np.float32) / 255.0


def make_h5_layout(demo_root: str, out_root: str, slices_per_volume: int = 8, overwrite: bool = False) -> dict:
    """Write the demo scenes of ``demo_root`` as one-channel volumes in the ACDC h5 layout (see the module
    docstring); does nothing when ``out_root`` was made from the same scenes with the same depth."""
    from PIL import Image

    from densessl.datasets.acdc import write_h5_layout
    from densessl.datasets.splits import read_split_file
    if slices_per_volume < 1:
        raise SystemExit(f'[make_demo_data] --slices-per-volume must be >= 1, got {slices_per_volume}')
    with open(osp.join(demo_root, 'demo_params.json')) as f:
        source = json.load(f)
    want = dict(slices_per_volume=slices_per_volume, scenes={k: source[k] for k in ('num_train', 'num_val', 'size',
                                                                                       'seed')})
    params_file = osp.join(out_root, 'demo_params.json')
    if osp.isfile(params_file) and not overwrite:
        with open(params_file) as f:
            have = json.load(f)
        if all(have.get(k) == v for k, v in want.items()):
            print(f'[make_demo_data] {out_root} is up to date ({have["train_cases"]} + {have["val_cases"]} volumes)')
            return have
        overwrite = True  # made from other scenes: the VOC-layout scenes were regenerated
    t0 = time.time()
    volumes = {}
    counts = {}
    for part, prefix in (('train', 'case'), ('val', 'valcase')):
        names = read_split_file(osp.join(demo_root, 'ImageSets', 'Segmentation', part + '.txt'))
        n = len(names) // slices_per_volume
        if n == 0:
            raise SystemExit(f'[make_demo_data] {part}: {len(names)} scenes, fewer than --slices-per-volume '
                             f'{slices_per_volume}')
        for c in range(n):
            group = names[c * slices_per_volume:(c + 1) * slices_per_volume]
            image = np.stack([_gray(osp.join(demo_root, 'JPEGImages', g + '.jpg')) for g in group])
            label = np.stack([np.asarray(Image.open(osp.join(demo_root, 'SegmentationClass', g + '.png')))
                              for g in group])
            volumes[f'{prefix}{c:03d}_frame01'] = (image, label)
        counts[part] = n
    write_h5_layout(out_root, volumes, overwrite=True)
    params = dict(want, train_cases=counts['train'], val_cases=counts['val'], classes=source['classes'])
    with open(params_file, 'w') as f:
        json.dump(params, f, indent=2)
    print(f'[make_demo_data] {out_root}: {counts["train"]} training and {counts["val"]} validation volumes of '
          f'{slices_per_volume} one-channel slices ({time.time() - t0:.1f}s)')
    return params


def h5_split_lines(params: dict, cases: int) -> dict:
    """Split file lines of the h5 demo with ``cases`` labeled cases (the first ones)."""
    d = params['slices_per_volume']

    def slices(names):
        return [f'data/slices/{n}_slice_{k}.h5' for n in names for k in range(1, d + 1)]

    train = [f'case{c:03d}_frame01' for c in range(params['train_cases'])]
    val = [f'data/valcase{c:03d}_frame01.h5' for c in range(params['val_cases'])]
    return dict(labeled=slices(train[:cases]), unlabeled=slices(train[cases:]), val=val, test=val)


def ensure_h5_splits(out_root: str, splits_out: str, params: dict) -> None:
    """Write ``<splits_out>/demo_acdc/{1,3,7}/`` when missing; check existing files name the data's files."""
    from densessl.datasets.splits import read_split_file, write_split_lines
    for cases in H5_SETTINGS:
        folder = osp.join(splits_out, 'demo_acdc', str(cases))
        if cases >= params['train_cases']:
            print(f'[make_demo_data] {folder}: skipped, only {params["train_cases"]} training cases')
            continue
        lines = h5_split_lines(params, cases)
        if not all(osp.isfile(osp.join(folder, k + '.txt')) for k in lines):
            write_split_lines(folder, lines)
            print(f'[make_demo_data] {folder}: {len(lines["labeled"])} labeled / {len(lines["unlabeled"])} '
                  f'unlabeled slices, {len(lines["val"])} val volumes')
            continue
        for key in lines:
            missing = [n for n in read_split_file(osp.join(folder, key + '.txt'))
                       if not osp.isfile(osp.join(out_root, n))]
            if missing:
                raise SystemExit(f'[make_demo_data] {folder}/{key}.txt names {len(missing)} files not in {out_root} '
                                 f'(e.g. {missing[0]}); remove {folder} to rewrite it')


def make_voc_layout(args):
    """The demo (or source) scenes in the VOC layout, and their split files."""
    args.out = args.out or ('data/demo_source' if args.source else 'data/demo')
    args.num_train = args.num_train or 1000  # as the scenes made on first use (densessl.utils.checks)
    want = dict(num_train=args.num_train, num_val=args.num_val, size=args.size, seed=args.seed)
    params_file = osp.join(args.out, 'demo_params.json')
    if osp.isfile(params_file) and not args.overwrite:
        with open(params_file) as f:
            have = json.load(f)
        if all(have.get(k) == v for k, v in want.items()):
            print(f'[make_demo_data] {args.out} is up to date ({have["num_train"]} train / {have["num_val"]} val)')
            if not args.source:
                ensure_splits(args.out, args.splits_out, args.seed)
            return have
        raise SystemExit(f'[make_demo_data] {args.out} was made with other parameters ({params_file}); '
                         'pass --overwrite to regenerate')
    t0 = time.time()
    print(f'[make_demo_data] composing {args.num_train}+{args.num_val} scenes into {args.out} ...', flush=True)
    params = generate_demo_dataset(args.out, fmnist_root=args.fmnist_root, overwrite=args.overwrite,
                                   source=args.source, **want)
    print(f'[make_demo_data] done in {time.time() - t0:.1f}s; training pixel share per class: '
          f'{params["train_pixel_share"]}')
    if not args.source:  # the source scenes are all labeled: no split files
        ensure_splits(args.out, args.splits_out, args.seed)
    return params


def ensure_splits(data_root: str, splits_out: str, seed: int = 0) -> None:
    """Write ``<splits_out>/demo/*`` with tools/make_splits.py when missing; check existing ones name real
    training scenes."""
    from densessl.datasets.splits import read_split_file
    split_root = osp.join(splits_out, 'demo')
    if not osp.isdir(split_root):
        import importlib.util
        path = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'make_splits.py')
        spec = importlib.util.spec_from_file_location('densessl_make_splits', path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        mod.main(['demo', '--data-root', data_root, '--out', splits_out, '--seed', str(seed)])
        return
    train = set(read_split_file(osp.join(data_root, 'ImageSets', 'Segmentation', 'train.txt')))
    for setting in sorted(os.listdir(split_root)):
        for part in ('labeled', 'unlabeled'):
            f = osp.join(split_root, setting, part + '.txt')
            if osp.isfile(f):
                unknown = [n for n in read_split_file(f) if n not in train]
                if unknown:
                    raise SystemExit(f'[make_demo_data] {f} names {len(unknown)} scenes not in {data_root} '
                                     f'(e.g. {unknown[0]}); regenerate the splits with tools/make_splits.py demo')


if __name__ == '__main__':
    main()
