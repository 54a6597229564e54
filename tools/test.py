#!/usr/bin/env python
"""Evaluate a checkpoint (mIoU, and Dice where the config asks for it).

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out METRICS.json] [--cfg-options ...]
    tools/dist_test.sh CONFIG CHECKPOINT N [args]
"""
import argparse
import json
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmengine.config import Config, DictAction  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test (evaluate) a densessl model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='where the evaluation logs go')
    parser.add_argument('--out', help='write the metrics to this json file')
    parser.add_argument('--show-dir', help='save painted predictions into this folder')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='override config keys')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm'], default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def main(argv=None):
    args = parse_args(argv)
    from mmengine.runner import Runner

    from densessl.engine.distributed import setup_distributed
    from densessl.utils import ensure_demo_data_for, register_all_modules, unique_experiment_name

    register_all_modules(init_default_scope=False)
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {args.checkpoint}')
    cfg = Config.fromfile(args.config)
    if 'stages' in cfg:
        raise ValueError(f'{args.config} is a recipe; test the config of its last stage instead')
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    cfg.launcher = args.launcher
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or osp.join(
        './work_dirs', osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint
    cfg.resume = False
    if args.show_dir:
        vis = cfg.default_hooks.get('visualization')
        if vis is not None:
            vis.update(draw=True, interval=1)
            cfg.visualizer.save_dir = args.show_dir
    # the weights come from the checkpoint: no ImageNet initialisation file is needed to test
    setup_distributed(cfg, args.launcher)
    ensure_demo_data_for(cfg)
    unique_experiment_name(cfg)
    runner = Runner.from_cfg(cfg)
    metrics = runner.test()
    metrics = {k: float(v) if hasattr(v, '__float__') else v for k, v in metrics.items()}
    if args.out and runner.rank == 0:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(metrics, f, indent=2)
    print(json.dumps(metrics, indent=2))
    return metrics


if __name__ == '__main__':
    from densessl.engine.distributed import run_then_teardown
    run_then_teardown(main)
