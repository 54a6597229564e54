#!/usr/bin/env python
"""Evidence experiment: does choosing the images to label (tools/suggest_labels.py) beat a random choice?

On the demo scenes (1000 training scenes, DeepLabV3+ R18, 96 px crops), for each label budget (``--settings``:
1 % = 10 and 2 % = 20 scenes):

- ``random``: ``--random-draws`` uniform draws (seeds 0, 1, ...; the draw of tools/make_splits.py);
- every strategy of ``--strategies`` (default kmeans, coreset, dense) with features from every backbone of
  ``--features``: ``source`` (the demo's stand-in for ImageNet weights: the supervised source-scene backbone) and
  ``pixpro`` (PixPro target-pretrained on the 1000 scenes from the source weights); both come from
  tools/experiments/seg_demo_ssl.py's stages in ``--pretrain-dir`` (trained there when missing, reused otherwise);

then trains each method of ``--methods`` (supervised, CutMix) on every chosen split, all networks starting from the
source backbone (as seg_demo_ssl.py), ``--iters`` iterations, seeds ``--train-seeds``, and evaluates on the 200
validation scenes. The configs are the existing demo configs with the split files swapped by ``--cfg-options``.

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

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)
sys.path.insert(0, osp.join(REPO, 'tools', 'experiments'))

import seg_demo_ssl as seg  # noqa: E402  (its source / PixPro stages and its run helper)

SUPERVISED = seg.SUPERVISED
CUTMIX = 'configs/cutmix/cutmix_r18-d16_1xb16-1k_demo-5pct-96x96.py'
POOL = 'data/demo/ImageSets/Segmentation/train.txt'
MASKS = 'data/demo/SegmentationClass'
SETTINGS = {'1pct': '1%', '2pct': '2%', '5pct': '5%'}
METHODS = {'supervised': (SUPERVISED, 'model.backbone'), 'cutmix': (CUTMIX, 'model.segmentor.backbone')}
METHOD_LABELS = {'supervised': 'Supervised only', 'cutmix': 'CutMix'}


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
def backbones(args) -> dict:
    ns = argparse.Namespace(work_dir=args.pretrain_dir, init='source', pixpro_iters=args.pixpro_iters)
    out = {'source': seg.source_backbone(ns)}
    if 'pixpro' in args.features:
        out['pixpro'] = seg.pixpro_backbone(0, ns)
    return out


def selections(args) -> dict:
    """Every split of the experiment: {setting: {selection name: split dir}} (chosen now unless on disk)."""
    splits = {}
    weights = backbones(args) if args.strategies and not args.table_only else {}
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
def parse_per_class(log_path: str) -> dict:
    """The last per-class table mmseg's IoUMetric printed into a log: {class: {'IoU': ..., 'Dice': ...}}."""
    text = open(log_path).read()
    k = text.rfind('per class results:')
    if k < 0:
        return {}
    rows = [line for line in text[k:].splitlines() if line.startswith('|')]
    if not rows:
        return {}
    header = [c.strip() for c in rows[0].strip('|').split('|')]
    out = {}
    for line in rows[1:]:
        cells = [c.strip() for c in line.strip('|').split('|')]
        if len(cells) != len(header):
            break
        try:
            out[cells[0]] = {h: float(v) for h, v in zip(header[1:], cells[1:])}
        except ValueError:
            break
    return out


def run(args, setting: str, selection: str, split_dir: str, method: str, seed: int, init: str):
    config, key = METHODS[method]
    out = osp.join(args.work_dir, 'runs', setting, f'{selection}_{method}_seed{seed}')
    result_file = osp.join(out, 'test_metrics.json')
    if osp.isfile(result_file):
        return json.load(open(result_file))
    if args.table_only:
        return None
    os.makedirs(out, exist_ok=True)
    log = osp.join(out, 'run.log')
    labeled, unlabeled = osp.join(split_dir, 'labeled.txt'), osp.join(split_dir, 'unlabeled.txt')
    opts = [f'randomness.seed={seed}', f'train_cfg.max_iters={args.iters}', f'param_scheduler.0.end={args.iters}',
            f'train_cfg.val_interval={args.iters}', f'default_hooks.checkpoint.interval={args.iters}']
    opts += seg._init_options(key, init)
    if method == 'supervised':
        opts.append(f'train_dataloader.dataset.ann_file={labeled}')
    else:
        opts += [f'train_dataloader.dataset.datasets.0.ann_file={labeled}',
                 f'train_dataloader.dataset.datasets.1.ann_file={unlabeled}']
    limit = [f'val_dataloader.dataset.indices={args.eval_limit}',
             f'test_dataloader.dataset.indices={args.eval_limit}'] if args.eval_limit else []
    secs = seg._run([sys.executable, 'tools/train.py', config, '--work-dir', out, '--cfg-options'] + opts + limit,
                    log)
    test_log = osp.join(out, 'test.log')
    seg._run([sys.executable, 'tools/test.py', config, osp.join(out, f'iter_{args.iters}.pth'), '--work-dir',
              osp.join(out, 'test'), '--out', result_file] + (['--cfg-options'] + limit if limit else []), test_log)
    metrics = json.load(open(result_file))
    metrics.update(train_minutes=round(secs / 60, 2), per_class=parse_per_class(test_log))
    with open(result_file, 'w') as f:
        json.dump(metrics, f, indent=2)
    print(f'[label_advisor] {setting} {selection} {method} seed {seed}: mIoU {metrics.get("mIoU")} '
          f'({secs / 60:.1f} min)', flush=True)
    return metrics


def _fmt(values):
    if not values:
        return 'n/a'
    if len(values) == 1:
        return f'{values[0]:.2f}'
    return f'{statistics.mean(values):.2f} ± {statistics.stdev(values):.2f}'


def results_table(args, results: dict, rare: int) -> str:
    rare_name = _classes()[rare]
    lines = [f'Label advisor on the demo scenes: {args.iters} iterations from the source backbone, training seeds '
             f'{" ".join(map(str, args.train_seeds))}; random = {args.random_draws} draws (mean ± std over draws '
             'and seeds); rarest class by pixels in the pool: ' + rare_name, '',
             f'| setting | method | selection | mIoU | Δ vs random mean | IoU {rare_name} | train min/run | runs |',
             '|---|---|---|---|---|---|---|---|']
    for setting in args.settings:
        for method in args.methods:
            rows = results.get((setting, method), {})
            rand = [m for name, runs in rows.items() if name.startswith('random') for m in runs]
            base = statistics.mean([m['mIoU'] for m in rand]) if rand else None
            groups = [('random', rand)] + [(n, r) for n, r in rows.items() if not n.startswith('random')]
            for name, runs in groups:
                miou = [m['mIoU'] for m in runs]
                rare_iou = [m['per_class'][rare_name]['IoU'] for m in runs
                            if rare_name in (m.get('per_class') or {})]
                delta = f'{statistics.mean(miou) - base:+.2f}' if miou and base is not None and name != 'random' \
                    else ''
                mins = statistics.mean([m.get('train_minutes', 0) for m in runs]) if runs else 0
                lines.append(f'| {setting} | {METHOD_LABELS[method]} | {name} | {_fmt(miou)} | {delta} | '
                             f'{_fmt(rare_iou)} | {mins:.1f} | {len(runs)} |')
    return '\n'.join(lines)


def main(argv=None):
    args = parse_args(argv)
    os.chdir(REPO)
    os.environ.setdefault('OMP_NUM_THREADS', str(args.threads))
    os.makedirs(args.work_dir, exist_ok=True)
    from mmengine.config import Config

    from densessl.utils import ensure_demo_data_for
    ensure_demo_data_for(Config.fromfile(SUPERVISED))
    t0 = time.time()
    splits = selections(args)
    report = [coverage_table(args, splits)]
    if not args.table_only:
        report.append(feature_quality(args, splits))
    text = '\n\n'.join(report)
    print(text, flush=True)
    with open(osp.join(args.work_dir, 'coverage.md'), 'w') as f:
        f.write(text + '\n')
    print(f'[label_advisor] selections and diagnostics: {(time.time() - t0) / 60:.1f} min', flush=True)
    if args.coverage_only:
        return splits
    rare = rarest_class(args)
    init = None if args.table_only else seg.source_backbone(
        argparse.Namespace(work_dir=args.pretrain_dir, init='source', pixpro_iters=args.pixpro_iters))
    results = {}
    for setting in args.settings:
        for seed in args.train_seeds:
            for name, split_dir in splits[setting].items():
                for method in args.methods:
                    r = run(args, setting, name, split_dir, method, seed, init)
                    if r is not None:
                        results.setdefault((setting, method), {}).setdefault(name, []).append(r)
                        with open(osp.join(args.work_dir, 'results.md'), 'w') as f:
                            f.write(results_table(args, results, rare) + '\n')
    table = results_table(args, results, rare)
    with open(osp.join(args.work_dir, 'results.md'), 'w') as f:
        f.write(table + '\n')
    print(table)
    return results


if __name__ == '__main__':
    main()
