#!/usr/bin/env python
"""Turn several work dirs into one markdown table: mean ± std over seeds of each run's metrics.

    python tools/analysis/compare_runs.py work_dirs/exp/supervised_seed0 work_dirs/exp/supervised_seed1 \\
        work_dirs/exp/cutmix_seed0 work_dirs/exp/cutmix_seed1 --metrics mDice mHD95 --out results.md
    python tools/analysis/compare_runs.py work_dirs/exp/*_seed* --labels supervised='Supervised only'

Each work dir's metrics come from (the first found) ``test_metrics.json``, ``metrics.json`` (``tools/test.py
--out``), else the last validation record holding the first requested metric in the newest
``*/vis_data/scalars.json`` of the dir. Runs are grouped by the dir name without its seed suffix (``_seed0``,
``-seed1``, ``seed2``; a dir named only ``seed<k>`` takes its parent's name), in order of first appearance; the table
has one row per group: the number of seeds, ``mean ± std`` (sample std) per metric and the per-seed values of the
first metric. The experiment scripts import :func:`compare` for their tables.
"""
import argparse
import glob
import json
import math
import os
import os.path as osp
import re
import statistics
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple

SEED_SUFFIX = re.compile(r'[_-]?seed(\d+)$')
DEFAULT_METRICS = ('mIoU', 'mDice', 'mHD95')


def load_run_metrics(work_dir: str, key: Optional[str] = None) -> Dict[str, float]:
    """The metrics of one run (see the module docstring for where they are read from).

    Raises:
        FileNotFoundError: the dir does not exist or holds no metrics file and no validation record.
    """
    if not osp.isdir(work_dir):
        raise FileNotFoundError(f'work dir not found: {work_dir}')
    for name in ('test_metrics.json', 'metrics.json'):
        path = osp.join(work_dir, name)
        if osp.isfile(path):
            with open(path) as f:
                return json.load(f)
    logs = sorted(glob.glob(osp.join(work_dir, '**', 'vis_data', 'scalars.json'), recursive=True),
                  key=osp.getmtime)
    for log in reversed(logs):
        with open(log) as f:
            records = [json.loads(line) for line in f if line.strip()]
        records = [r for r in records if (key or DEFAULT_METRICS[0]) in r or (key is None and any(
            m in r for m in DEFAULT_METRICS))]
        if records:
            return records[-1]
    raise FileNotFoundError(f'{work_dir}: no test_metrics.json / metrics.json and no validation record in '
                            '*/vis_data/scalars.json (evaluate the run with tools/test.py --out DIR/metrics.json)')


def run_name(work_dir: str) -> Tuple[str, Optional[int]]:
    """``(group name, seed)`` of a work dir: its name without the seed suffix.

    Examples:
        >>> run_name('work_dirs/x/cutmix_seed1'), run_name('work_dirs/pixpro/seed0'), run_name('a/b')
        (('cutmix', 1), ('pixpro', 0), ('b', None))
    """
    base = osp.basename(osp.normpath(work_dir))
    m = SEED_SUFFIX.search(base)
    if not m:
        return base, None
    name = base[:m.start()] or osp.basename(osp.dirname(osp.normpath(work_dir)))
    return name, int(m.group(1))


def mean_std(values: Sequence[float], decimals: int = 2) -> str:
    """``'mean ± std'`` (sample std), the value alone for one run, ``n/a`` for none.

    Examples:
        >>> mean_std([1.0, 2.0]), mean_std([3.14159]), mean_std([])
        ('1.50 ± 0.71', '3.14', 'n/a')
    """
    values = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if not values:
        return 'n/a'
    mean = statistics.mean(values)
    if len(values) == 1:
        return f'{mean:.{decimals}f}'
    return f'{mean:.{decimals}f} ± {statistics.stdev(values):.{decimals}f}'


def group_runs(work_dirs: Sequence[str], key: Optional[str] = None) -> 'OrderedDict[str, List[Tuple[int, dict]]]':
    """Group runs by name: name -> ``[(seed, metrics), ...]`` in the order given."""
    groups: 'OrderedDict[str, List[Tuple[int, dict]]]' = OrderedDict()
    for d in work_dirs:
        name, seed = run_name(d)
        groups.setdefault(name, []).append((seed, load_run_metrics(d, key)))
    return groups


def markdown_table(groups: 'OrderedDict[str, List[Tuple[int, dict]]]', metrics: Sequence[str],
                   labels: Optional[Dict[str, str]] = None, decimals: int = 2) -> str:
    """One row per group: name, seeds, ``mean ± std`` of each metric, per-seed values of the first metric (and the
    mean training minutes when the runs recorded ``train_minutes``)."""
    labels = labels or {}
    with_time = any('train_minutes' in m for runs in groups.values() for _, m in runs)
    head = ['run', 'seeds'] + list(metrics) + [f'per-seed {metrics[0]}'] + (['train min/run'] if with_time else [])
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for name, runs in groups.items():
        seeds = ', '.join(str(s) for s, _ in runs if s is not None) or '-'
        cells = [labels.get(name, name), seeds]
        cells += [mean_std([_num(m.get(k)) for _, m in runs], decimals) for k in metrics]
        cells.append(', '.join('n/a' if _num(m.get(metrics[0])) is None else f'{_num(m.get(metrics[0])):.{decimals}f}'
                               for _, m in runs))
        if with_time:
            mins = [m['train_minutes'] for _, m in runs if 'train_minutes' in m]
            cells.append(f'{statistics.mean(mins):.1f}' if mins else '-')
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def _num(v):
    return None if v is None else float(v)


def compare(work_dirs: Sequence[str], metrics: Optional[Sequence[str]] = None,
            labels: Optional[Dict[str, str]] = None, decimals: int = 2) -> str:
    """The markdown table of ``work_dirs`` (``metrics``: default those of mIoU / mDice / mHD95 that the runs have).

    Raises:
        FileNotFoundError: a work dir without metrics. ValueError: no work dir, or none of the metrics found.
    """
    if not work_dirs:
        raise ValueError('no work dir given')
    groups = group_runs(work_dirs, metrics[0] if metrics else None)
    if not metrics:
        metrics = [k for k in DEFAULT_METRICS if any(k in m for runs in groups.values() for _, m in runs)]
        if not metrics:
            raise ValueError(f'none of {DEFAULT_METRICS} in the runs\' metrics; name them with --metrics')
    return markdown_table(groups, metrics, labels, decimals)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('work_dirs', nargs='+', help='work dirs of finished runs (one per seed)')
    p.add_argument('--metrics', nargs='+', help=f'metric keys (default: those of {DEFAULT_METRICS} present)')
    p.add_argument('--labels', nargs='+', default=[], metavar='NAME=LABEL', help='row labels of run names')
    p.add_argument('--decimals', type=int, default=2)
    p.add_argument('--out', help='also write the table to this markdown file')
    return p.parse_args(argv)


def main(argv=None) -> str:
    args = parse_args(argv)
    labels = dict(item.split('=', 1) for item in args.labels)
    text = compare(args.work_dirs, args.metrics, labels, args.decimals)
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            f.write(text + '\n')
    print(text)
    return text


if __name__ == '__main__':
    main()
