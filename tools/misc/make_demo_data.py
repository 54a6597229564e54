"""Make the embedded demo data (Fashion-MNIST scenes in the VOC layout) and its split files.

    python tools/misc/make_demo_data.py                      # data/demo + data/splits/demo/{1,2,5,10}pct
    python tools/misc/make_demo_data.py --overwrite --seed 1
    python tools/misc/make_demo_data.py --source             # data/demo_source: the stand-in for ImageNet

Does nothing (in a second) when the data is already there with the same parameters. Split files already in
``data/splits/demo`` are checked against the data, not rewritten (they are part of the repository).
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from densessl.datasets.demo_scenes import generate_demo_dataset  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--out', help='output folder (default data/demo, data/demo_source with --source)')
    p.add_argument('--source', action='store_true',
                   help='write the source scenes (the six other Fashion-MNIST classes, fully labeled; supervised '
                   'pretraining on them stands in for ImageNet weights) instead of the demo scenes')
    p.add_argument('--fmnist-root', help='Fashion-MNIST folder (default: $DENSESSL_FMNIST_ROOT, '
                   '/usr/share/datasets/fashion-mnist, data/fashion_mnist)')
    p.add_argument('--num-train', type=int, help='training scenes (default 1000, 2000 with --source)')
    p.add_argument('--num-val', type=int, default=200)
    p.add_argument('--size', type=int, default=128)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--overwrite', action='store_true', help='regenerate even if the folder exists')
    p.add_argument('--splits-out', default='data/splits', help='where the demo split files live')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    args.out = args.out or ('data/demo_source' if args.source else 'data/demo')
    args.num_train = args.num_train or (2000 if args.source else 1000)
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
