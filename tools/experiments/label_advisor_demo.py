#!/usr/bin/env python
"""Evidence experiment: does choosing the images to label (tools/suggest_labels.py) beat a random choice?

On the demo scenes (1000 training scenes, DeepLabV3+ R18, 96 px crops), for each label budget (``--settings``:
1 % = 10 and 2 % = 20 scenes):

- ``random``: ``--random-draws`` uniform draws (seeds 0, 1, ...; the draw of tools/make_splits.py);
- every strategy of ``--strategies`` (default kmeans, coreset, dense) with features from every backbone of
  ``--features``: ``source`` (the demo's stand-in for ImageNet weights: the supervised source-scene backbone) and
  ``pixpro`` (PixPro target-pretrained on the 1000 scenes from the source weights); both come from
  tools/experiments/seg_demo_ssl.py's stages in ``--pretrain-dir`` (trained there when missing, reused otherwise);

then trains each method of ``--methods`` (supervised, CutMix, UniMatch with class-balanced masks) on every chosen
split, all networks starting from the source backbone (as seg_demo_ssl.py), ``--iters`` iterations, seeds
``--train-seeds``, and evaluates on the 200 validation scenes. Each training is a recipe
(:mod:`densessl.engine.experiment`): seg_demo_ssl.py's shared source stage, then the existing demo config with the split files swapped by ``--cfg-options finetune.KEY=VALUE``, in
``<work-dir>/runs/<setting>/<selection>_<method>_seed<k>/``.

Before any training (and alone with ``--coverage-only``) it prints what needs no training: the class coverage of
every chosen set, read from the masks the split hides (scenes holding each class, share of foreground pixels), and
the feature quality of each backbone (clustering accuracy of region features against the majority class of each
region). The table (mIoU mean ± std over draws / training seeds, the IoU of the rarest class, train minutes, and
the gain over the mean of the random draws) goes to ``<work-dir>/results.md`` and stdout. Finished selections and
runs are reused when restarted::

    python tools/experiments/label_advisor_demo.py                       # the full experiment (hours on 2 cores)
    python tools/experiments/label_advisor_demo.py --coverage-only       # selections + coverage, minutes
    python tools/experiments/label_advisor_demo.py --table-only          # tabulate the finished runs
    python tools/experiments/label_advisor_demo.py --settings 1pct --methods supervised --train-seeds 0 1
"""
import argparse
import json
import os
import os.path as osp
import statistics
import sys
import time
from collections import OrderedDict

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)
sys.path.insert(0, osp.join(REPO, 'tools', 'experiments'))

import seg_demo_ssl as seg  # noqa: E402  (its source / PixPro stages)
from densessl.engine.experiment import Experiment, markdown_table, mean_std, write_table  # noqa: E402
from densessl.utils.fileio import atomic_write_text  # noqa: E402

SUPERVISED = seg.SUPERVISED
CUTMIX = 'configs/cutmix/cutmix_r18-d16_1xb16-1k_demo-5pct-96x96.py'
POOL = 'data/demo/ImageSets/Segmentation/train.txt'
MASKS = 'data/demo/SegmentationClass'
SETTINGS = {'1pct': '1%', '2pct': '2%', '5pct': '5%'}
UNIMATCH_CB = 'configs/unimatch/unimatch-cb_r18-d16_1xb16-1k_demo-5pct-96x96.py'
METHODS = {'supervised': (SUPERVISED, 'model.backbone'), 'cutmix': (CUTMIX, seg.SEMI_KEY),
           'unimatch_cb': (UNIMATCH_CB, seg.SEMI_KEY)}
METHOD_LABELS = {'supervised': 'Supervised only', 'cutmix': 'CutMix', 'unimatch_cb': 'UniMatch, class-balanced masks'}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--settings', nargs='+', default=['1pct', '2pct'], choices=list(SETTINGS))
    p.add_argument('--strategies', nargs='+', default=['kmeans', 'coreset', 'dense'],
                   choices=['kmeans', 'coreset', 'dense', 'as3l'])
    p.add_argument('--features', nargs='+', default=['source', 'pixpro'], choices=['source', 'pixpro'])
    p.add_argument('--random-draws', type=int, default=3)
    p.add_argument('--methods', nargs='+', default=['supervised', 'cutmix'], choices=list(METHODS))
    p.add_argument('--train-seeds', nargs='+', type=int, default=[0])
    p.add_argument('--iters', type=int, default=1000)
    p.add_argument('--pixpro-iters', type=int, default=300)
    p.add_argument('--pool', default=POOL, help='the unlabeled pool (split file of the demo dataset)')
    p.add_argument('--pretrain-dir', default=osp.join(REPO, 'work_dirs', 'seg_demo_ssl'),
                   help="seg_demo_ssl.py's work dir: source/ and pixpro-source/seed0/ backbones are reused")
    p.add_argument('--work-dir', default=osp.join(REPO, 'work_dirs', 'label_advisor_demo'))
    p.add_argument('--coverage-only', action='store_true', help='choose the splits and print coverage, no training')
    p.add_argument('--table-only', action='store_true', help='only tabulate the finished runs')
    p.add_argument('--eval-limit', type=int, default=None,
                   help='evaluate on the first N validation scenes only (smoke tests)')
    p.add_argument('--threads', type=int, default=2)
    return p.parse_args(argv)


# ---------------------------------------------------------------------------------------------------- selection
def _pretrain_args(args) -> argparse.Namespace:
    """seg_demo_ssl.py's arguments that place and shape its pretraining stages."""
    return argparse.Namespace(work_dir=args.pretrain_dir, init='source', pixpro_iters=args.pixpro_iters)


def backbones(args, exp: Experiment) -> dict:
    """The backbone files of seg_demo_ssl.py's source stage and (for ``--features pixpro``) its PixPro stage of
    seed 0, trained in ``--pretrain-dir`` unless finished there."""
    ns = _pretrain_args(args)
    stages, options = seg.pretrain_stages(0, ns, pixpro=False)
    out = {'source': exp.ensure_backbone(stages[-1]['work_dir'], stages, options)}
    if 'pixpro' in args.features:
        stages, options = seg.pretrain_stages(0, ns, pixpro=True)
        out['pixpro'] = exp.ensure_backbone(stages[-1]['work_dir'], stages, options)
    return out


def selections(args, exp: Experiment) -> dict:
    """Every split of the experiment: {setting: {selection name: split dir}} (chosen now unless on disk)."""
    splits = {}
    weights = backbones(args, exp) if args.strategies and not args.table_only else {}
    from densessl.selection import suggest_labels
    for setting in args.settings:
        splits[setting] = {}
        plan = [(f'random-s{k}', 'random', None, k) for k in range(args.random_draws)]
        plan += [(f'{s}-{f}', s, f, 0) for s in args.strategies for f in args.features]
        for name, strategy, feat, seed in plan:
            out = osp.join(args.work_dir, 'splits', setting, name)
            if osp.isfile(osp.join(out, 'selection.json')):
                splits[setting][name] = out
                continue
            if args.table_only:
                continue
            splits[setting][name] = out
            suggest_labels(SUPERVISED, args.pool, SETTINGS[setting], strategy=strategy, out_dir=out,
                           checkpoint=weights.get(feat) if feat else None, seed=seed,
                           feature_root=osp.join(args.work_dir, 'features'), num_workers=2, overwrite=True)
            print(f'[label_advisor] {setting} {name}: {" ".join(open(osp.join(out, "labeled.txt")).read().split())}',
                  flush=True)
    return splits


# ------------------------------------------------------------------------------------------------ diagnostics
def _mask_paths(names):
    return [osp.join(REPO, MASKS, n + '.png') for n in names]


def _classes():
    from densessl.utils.demo_scenes import DEMO_CLASSES
    return list(DEMO_CLASSES)


def rarest_class(args) -> int:
    """The foreground class with the fewest pixels in the pool."""
    from densessl.selection import class_coverage
    names = open(osp.join(REPO, args.pool)).read().split()
    cov = class_coverage(_mask_paths(names), len(_classes()))
    return min(range(1, len(_classes())), key=lambda c: cov['pixels'][c])


def coverage_table(args, splits: dict) -> str:
    from densessl.selection import class_coverage
    classes = _classes()
    pool = open(osp.join(REPO, args.pool)).read().split()
    ref = class_coverage(_mask_paths(pool), len(classes))
    lines = ['Class coverage of the chosen scenes (from the masks the split hides): scenes holding each class; '
             'share of foreground pixels; foreground share of all pixels', '',
             '| setting | selection | ' + ' | '.join(classes[1:]) + ' | fg px share | fg px (k) |',
             '|---|---|' + '---|' * (len(classes) + 1)]
    for setting, named in splits.items():
        for name, out in named.items():
            labeled = open(osp.join(out, 'labeled.txt')).read().split()
            cov = class_coverage(_mask_paths(labeled), len(classes))
            fg = sum(cov['pixels'][1:])
            per = [f'{cov["images"][c]} ({100 * cov["pixels"][c] / max(fg, 1):.0f} %)' for c in range(1, len(classes))]
            lines.append(f'| {setting} | {name} | ' + ' | '.join(per) +
                         f' | {100 * fg / max(sum(cov["pixels"]), 1):.1f} % | {fg / 1000:.1f} |')
    fg = sum(ref['pixels'][1:])
    lines.append('| pool | all {} scenes | '.format(len(pool)) + ' | '.join(
        f'{ref["images"][c]} ({100 * ref["pixels"][c] / fg:.0f} %)' for c in range(1, len(classes))) +
        f' | {100 * fg / sum(ref["pixels"]):.1f} % | {fg / 1000:.1f} |')
    return '\n'.join(lines)


def feature_quality(args, splits: dict) -> str:
    """Clustering accuracy (k-means with as many clusters as classes, Hungarian matching) of region features against
    the majority class of each region's cell of the mask, on up to 4000 regions of the pool."""
    import numpy as np
    from PIL import Image

    from densessl.evaluation.clustering import feature_clustering_accuracy
    lines = ['Feature quality: clustering accuracy of region features vs the majority class of their cell', '',
             '| features | regions | clustering accuracy (%) |', '|---|---|---|']
    seen = set()
    for named in splits.values():
        for name, out in named.items():
            rec = json.load(open(osp.join(out, 'selection.json')))
            fdir = (rec.get('features') or {}).get('feature_dir')
            feat = name.rsplit('-', 1)[-1]
            if not fdir or feat in seen or not osp.isfile(osp.join(fdir, 'regions.npy')):
                continue
            seen.add(feat)
            regions = np.load(osp.join(fdir, 'regions.npy'), mmap_mode='r')
            names = open(osp.join(fdir, 'names.txt')).read().split()
            g = int(round(regions.shape[1]**0.5))
            rng = np.random.default_rng(0)
            picked = rng.choice(len(names), size=min(len(names), max(1, 4000 // regions.shape[1])), replace=False)
            feats, labels = [], []
            for i in sorted(picked):
                mask = np.asarray(Image.open(_mask_paths([names[i]])[0]))
                h, w = mask.shape
                for cy in range(g):
                    for cx in range(g):
                        cell = mask[cy * h // g:(cy + 1) * h // g, cx * w // g:(cx + 1) * w // g]
                        labels.append(int(np.bincount(cell.ravel(), minlength=len(_classes())).argmax()))
                feats.append(np.asarray(regions[i], np.float32))
            acc = feature_clustering_accuracy(np.concatenate(feats), np.array(labels),
                                              num_clusters=len(_classes()), n_init=3)
            lines.append(f'| {feat} | {len(labels)} | {100 * acc:.1f} |')
    return '\n'.join(lines)


# --------------------------------------------------------------------------------------------------- training
def _with_per_class(run_dir: str, done: dict) -> dict:
    """A run's test metrics, its wall time and its per-class table: {class: {'IoU': ..., 'Dice': ..., 'Acc': ...}}."""
    with open(osp.join(run_dir, 'test_metrics.json')) as f:
        metrics = json.load(f)
    with open(osp.join(run_dir, 'test_metrics_per_class.json')) as f:
        per_class = {row['class']: {k: v for k, v in row.items() if k != 'class'} for row in json.load(f)}
    return dict(metrics, train_minutes=round((done.get('seconds') or 0) / 60, 2), per_class=per_class)


def run(args, exp: Experiment, setting: str, selection: str, split_dir: str, method: str, seed: int):
    config, key = METHODS[method]
    labeled, unlabeled = osp.join(split_dir, 'labeled.txt'), osp.join(split_dir, 'unlabeled.txt')
    opts = seg.schedule_options(seed, args.iters)
    if method == 'supervised':
        opts['train_dataloader.dataset.ann_file'] = labeled
    else:
        opts.update({'train_dataloader.dataset.datasets.0.ann_file': labeled,
                     'train_dataloader.dataset.datasets.1.ann_file': unlabeled})
    if args.eval_limit:
        opts.update({'val_dataloader.dataset.indices': args.eval_limit,
                     'test_dataloader.dataset.indices': args.eval_limit})
    stages, options = seg.pretrain_stages(seed, _pretrain_args(args), pixpro=False)
    stages.append(dict(name='finetune', config=osp.join(REPO, config), backbone_key=key, init_backbone_from='source'))
    options['finetune'] = opts
    return exp.run(osp.join(args.work_dir, 'runs', setting, f'{selection}_{method}_seed{seed}'), stages, options,
                   collect=_with_per_class, what=f'{setting} {selection} {method} seed {seed}')


def results_table(args, results: dict, rare: int) -> str:
    rare_name = _classes()[rare]
    head = (f'Label advisor on the demo scenes: {args.iters} iterations from the source backbone, training seeds '
            f'{" ".join(map(str, args.train_seeds))}; random = {args.random_draws} draws (mean ± std over draws '
            'and seeds); rarest class by pixels in the pool: ' + rare_name)
    groups, base = OrderedDict(), {}
    for setting in args.settings:
        for method in args.methods:
            rows = results.get((setting, method), {})
            rand = [m for name, runs in rows.items() if name.startswith('random') for m in runs]
            base[(setting, method)] = statistics.mean([m['mIoU'] for m in rand]) if rand else None
            groups[(setting, method, 'random')] = [(None, m) for m in rand]
            for name, runs in rows.items():
                if not name.startswith('random'):
                    groups[(setting, method, name)] = [(None, m) for m in runs]
    labels = {key: (key[0], METHOD_LABELS[key[1]], key[2]) for key in groups}

    def delta(key, runs):
        ref = base[key[:2]]
        miou = [m['mIoU'] for _, m in runs]
        return f'{statistics.mean(miou) - ref:+.2f}' if miou and ref is not None and key[2] != 'random' else ''

    def minutes(_, runs):
        return f'{statistics.mean([m.get("train_minutes", 0) for _, m in runs]) if runs else 0:.1f}'

    columns = [
        'mIoU', ('Δ vs random mean', delta),
        (f'IoU {rare_name}', lambda _, runs: mean_std([m['per_class'][rare_name]['IoU'] for _, m in runs
                                                        if rare_name in (m.get('per_class') or {})])),
        ('train min/run', minutes),
        ('runs', lambda _, runs: str(len(runs))),
    ]
    return head + '\n\n' + markdown_table(groups, columns, labels, name_header=('setting', 'method', 'selection'),
                                          show_seeds=False, per_seed=False, time=False)


def main(argv=None):
    args = parse_args(argv)
    os.chdir(REPO)
    os.environ.setdefault('OMP_NUM_THREADS', str(args.threads))
    os.makedirs(args.work_dir, exist_ok=True)
    from mmengine.config import Config

    from densessl.utils import ensure_demo_data_for
    ensure_demo_data_for(Config.fromfile(SUPERVISED))
    exp = Experiment('label_advisor', table_only=args.table_only)
    t0 = time.time()
    splits = selections(args, exp)
    report = [coverage_table(args, splits)]
    if not args.table_only:
        report.append(feature_quality(args, splits))
    text = '\n\n'.join(report)
    print(text, flush=True)
    atomic_write_text(osp.join(args.work_dir, 'coverage.md'), text + '\n')
    print(f'[label_advisor] selections and diagnostics: {(time.time() - t0) / 60:.1f} min', flush=True)
    if args.coverage_only:
        return splits
    rare = rarest_class(args)
    results = {}
    for setting in args.settings:
        for seed in args.train_seeds:
            for name, split_dir in splits[setting].items():
                for method in args.methods:
                    r = run(args, exp, setting, name, split_dir, method, seed)
                    if r is not None:
                        results.setdefault((setting, method), {}).setdefault(name, []).append(r)
                        write_table(osp.join(args.work_dir, 'results.md'), results_table(args, results, rare))
    table = write_table(osp.join(args.work_dir, 'results.md'), results_table(args, results, rare))
    print(table)
    return results


if __name__ == '__main__':
    main()
