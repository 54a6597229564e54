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
first metric. The functions live in :mod:`densessl.engine.experiment`, which the experiment scripts
(``tools/experiments/*.py``) use for their tables and for skipping finished runs.
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from densessl.engine.experiment import (DEFAULT_METRICS, compare, group_runs, load_run_metrics,  # noqa: E402,F401
                                        markdown_table, mean_std, run_name)


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
