#!/usr/bin/env python
"""Which images to annotate: choose N images of an unlabeled pool from a backbone's features and write the split.

    python tools/suggest_labels.py CONFIG_OR_CKPT --images DIR_OR_SPLIT --budget N|P% \
        --strategy {dense,kmeans,coreset,as3l,random} --out data/splits/<name>/<setting> [options]

CONFIG_OR_CKPT: a model config with ``--checkpoint`` (a PixPro / BYOL target-pretrained checkpoint, a supervised
one, an extracted backbone file; without it the backbone's ``init_cfg=Pretrained`` file), or a checkpoint saved by
``tools/train.py`` (it carries its config; an extracted backbone file needs ``--config``).
DIR_OR_SPLIT: a folder of images (names relative to it), or a split / list file of the config's training dataset.

Writes ``labeled.txt`` / ``unlabeled.txt`` (the split format the configs read), ``selection.json`` (strategy,
weights, per-pick distances or gains, cluster sizes) and ``selection.png`` (contact sheet of the chosen images).
Features are cached under ``--feature-root`` (one folder per weights, settings and pool), so trying another strategy
or budget re-uses them. Examples (the demo data)::

    python tools/suggest_labels.py configs/deeplabv3plus/deeplabv3plus_r18-d16_1xb8-1k_demo-5pct-96x96.py \
        --checkpoint work_dirs/pixpro_demo_backbone.pth --images data/demo/ImageSets/Segmentation/train.txt \
        --budget 2% --strategy dense --out data/splits/demo/dense-2pct
    python tools/suggest_labels.py work_dirs/my_pixpro/iter_300.pth --images my_images/ --budget 20 \
        --strategy kmeans --out data/splits/mydata/kmeans-20
"""
import argparse
import json
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # run from a checkout without installing

STRATEGIES = ('dense', 'kmeans', 'coreset', 'as3l', 'random')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Choose the images to annotate (label-budget advisor)')
    p.add_argument('config_or_ckpt', help='model config (.py) or checkpoint')
    p.add_argument('--images', required=True, help='folder of images, or a split / list file of the dataset')
    p.add_argument('--budget', required=True, help='number of images to label, or a percentage of the pool ("2%%")')
    p.add_argument('--strategy', default='dense', choices=STRATEGIES,
                   help='dense: region coverage (default); kmeans: nearest image to each of N centres; coreset: '
                        'greedy k-center; as3l: AS3L consistent-cluster medians; random: uniform draw')
    p.add_argument('--out', required=True, help='output folder, e.g. data/splits/<name>/<setting>')
    p.add_argument('--checkpoint', help='weights, when the first argument is a config')
    p.add_argument('--config', help='model config, when the first argument is a checkpoint without one')
    p.add_argument('--source', default='online', choices=['online', 'target'],
                   help='network of a self-supervised checkpoint: online (default) or target (EMA)')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--img-suffix', help='image suffix in a folder (detected when all images share one)')
    p.add_argument('--image-size', type=int, nargs='+', metavar=('H', 'W'),
                   help='resize every image to H (x W) before embedding; default: as stored')
    p.add_argument('--batch-size', type=int, default=32)
    p.add_argument('--num-workers', type=int, default=2)
    p.add_argument('--stage', type=int, default=-1, help='backbone output to use (default: the last)')
    p.add_argument('--region-grid', type=int, default=4, help='region features: the map pooled to G x G cells')
    p.add_argument('--feature-root', default=osp.join('work_dirs', 'suggest_labels', 'features'),
                   help='features are cached in a folder under it')
    p.add_argument('--no-feature-cache', action='store_true', help='keep the features in memory only')
    p.add_argument('--device', help='cpu, cuda, ... (default: mmengine chooses)')
    p.add_argument('--num-words', type=int, help='dense: number of region clusters (default max(32, 4 x budget))')
    p.add_argument('--beta', type=float, default=0.5,
                   help='dense: word weight = size ** beta (0: rare appearances count as much as common ones)')
    p.add_argument('--minibatch', choices=['auto', 'on', 'off'], default='auto',
                   help='mini-batch k-means (auto: above 5000 points)')
    p.add_argument('--sheet-max', type=int, default=100, help='thumbnails on the contact sheet (0: none)')
    p.add_argument('--overwrite', action='store_true', help='replace a split already in --out')
    p.add_argument('--quiet', action='store_true', help='no progress bar')
    args = p.parse_args(argv)
    if args.image_size is not None and len(args.image_size) not in (1, 2):
        p.error('--image-size takes H or H W')
    return args


def strategy_options(args) -> dict:
    mb = {'auto': None, 'on': True, 'off': False}[args.minibatch]
    if args.strategy == 'dense':
        return dict(num_words=args.num_words, beta=args.beta, minibatch=mb)
    if args.strategy == 'kmeans':
        return dict(minibatch=mb)
    return {}


def main(argv=None) -> dict:
    args = parse_args(argv)
    from densessl.selection import suggest_labels
    summary = suggest_labels(
        args.config_or_ckpt, args.images, args.budget, strategy=args.strategy, out_dir=args.out,
        checkpoint=args.checkpoint, config=args.config, source=args.source, seed=args.seed,
        img_suffix=args.img_suffix, image_size=args.image_size, batch_size=args.batch_size,
        num_workers=args.num_workers, stage=args.stage, region_grid=args.region_grid,
        feature_root=None if args.no_feature_cache else args.feature_root, device=args.device,
        sheet_max=args.sheet_max, overwrite=args.overwrite, progress=not args.quiet,
        strategy_options=strategy_options(args))
    print(json.dumps(dict(strategy=summary['strategy'], budget=summary['budget'], pool_size=summary['pool_size'],
                          out=args.out, seconds=summary['seconds'], chosen=[c['name'] for c in summary['chosen']])))
    return summary


if __name__ == '__main__':
    try:
        main()
    except (FileNotFoundError, FileExistsError, ValueError, KeyError) as err:
        msg = err.args[0] if isinstance(err, KeyError) and err.args else err
        sys.exit(f'suggest_labels.py: error: {msg}')
