#!/usr/bin/env python
"""Train a densessl model, or run a multi-stage recipe (target pretraining -> finetuning -> evaluation).

    python tools/train.py CONFIG [--work-dir DIR] [--resume [auto|CKPT]] [--amp] [--cfg-options k=v ...]
    python tools/train.py RECIPE --cfg-options STAGE.KEY=VALUE ...   # e.g. cutmix.train_cfg.max_iters=200
    tools/dist_train.sh CONFIG N [args]       # N processes (gloo on CPU, nccl on GPU)
"""
import argparse
import json
import logging
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # run from a checkout without installing

from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.logging import print_log  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train a densessl model or run a recipe')
    parser.add_argument('config', help='train config (a stage config or a recipe with `stages`)')
    parser.add_argument('--work-dir', help='where logs and checkpoints go (default: work_dirs/<config name>)')
    parser.add_argument('--resume', nargs='?', type=str, const='auto',
                        help='resume from the latest checkpoint in the work dir (no value / "auto"), or from the '
                        'given checkpoint; for a recipe, finished stages are skipped')
    parser.add_argument('--amp', action='store_true', default=False, help='mixed precision training')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys, e.g. train_cfg.max_iters=100; for a recipe, STAGE.KEY=VALUE '
                        'sets KEY in the config of the stage named STAGE (cutmix.train_cfg.max_iters=100), a '
                        'plain KEY a key of the recipe itself (evaluate=False)')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm'], default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def prepare_stage_config(cfg: Config, work_dir: str, resume, amp: bool = False, launcher: str = 'none',
                         option_prefix: str = '') -> Config:
    """Apply the command-line choices to a stage config and check what can be checked before building.

    ``option_prefix`` is what ``--cfg-options`` keys need in front to reach this config (``'<stage>.'`` for a
    stage of a recipe); error messages show it.
    """
    from densessl.utils import check_checkpoints, ensure_demo_data_for

    cfg.work_dir = work_dir
    cfg.launcher = launcher
    if resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif resume:
        if not osp.isfile(resume):
            raise FileNotFoundError(f'--resume checkpoint not found: {resume}')
        cfg.resume, cfg.load_from = True, resume
    if amp:
        wrapper_type = cfg.optim_wrapper.get('type', 'OptimWrapper')
        if wrapper_type == 'AmpOptimWrapper':
            print_log('AMP training is already enabled in the config.', logger='current', level=logging.WARNING)
        else:
            if wrapper_type != 'OptimWrapper':
                raise ValueError(f'--amp needs an OptimWrapper, the config has {wrapper_type}')
            cfg.optim_wrapper.type = 'AmpOptimWrapper'
            cfg.optim_wrapper.loss_scale = 'dynamic'
    hooks = list(cfg.get('custom_hooks', None) or [])
    if not any(h.get('type') == 'CheckInvalidLossHook' for h in hooks):
        hooks.append(dict(type='CheckInvalidLossHook'))
    cfg.custom_hooks = hooks
    if not (cfg.get('resume') and cfg.get('load_from')):
        check_checkpoints(cfg, option_prefix)
    ensure_demo_data_for(cfg)
    return cfg


def run_stage(cfg: Config, work_dir: str, resume, evaluate: bool = False, amp: bool = False,
              launcher: str = 'none', option_prefix: str = '') -> dict:
    """Build a Runner for one stage config, train it, optionally test it; returns the test metrics.

    The test writes ``<work_dir>/test_metrics.json`` and, as ``tools/test.py --out`` does, the per-class (and
    per-volume) tables ``test_metrics_per_class.{json,csv}`` next to it.
    """
    from mmengine.registry import RUNNERS
    from mmengine.runner import Runner

    from densessl.evaluation.report import capture_class_tables, write_reports
    from densessl.utils import unique_experiment_name

    cfg = prepare_stage_config(cfg, work_dir, resume, amp, launcher, option_prefix)
    unique_experiment_name(cfg)
    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
    runner.train()
    metrics = {}
    if evaluate and cfg.get('test_dataloader') and cfg.get('test_evaluator'):
        evaluator = runner.test_loop.evaluator
        capture_class_tables(evaluator)
        metrics = runner.test()
        metrics = {k: float(v) if hasattr(v, '__float__') else v for k, v in metrics.items()}
        if runner.rank == 0:
            with open(osp.join(work_dir, 'test_metrics.json'), 'w') as f:
                json.dump(metrics, f, indent=2)
            write_reports(evaluator, osp.join(work_dir, 'test_metrics'))
    return metrics


def main(argv=None):
    args = parse_args(argv)
    from densessl.engine.distributed import setup_distributed
    from densessl.engine.recipe import is_recipe, run_recipe, split_recipe_options
    from densessl.utils import register_all_modules

    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile(args.config)
    stage_options = None
    if is_recipe(cfg):
        recipe_options, stage_options = split_recipe_options(cfg, args.cfg_options)
        cfg.merge_from_dict(recipe_options)
    elif args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        work_dir = args.work_dir
    elif cfg.get('work_dir') is not None:
        work_dir = cfg.work_dir
    else:
        work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])

    setup_distributed(cfg, args.launcher)
    if is_recipe(cfg):
        if args.resume not in (None, 'auto'):
            raise ValueError('a recipe resumes with --resume (auto): it finds the stage and checkpoint itself')

        def stage_fn(stage_cfg, stage_dir, resume, evaluate, name):
            setup_distributed(stage_cfg, args.launcher)
            return run_stage(stage_cfg, stage_dir, 'auto' if resume else None, evaluate, args.amp, args.launcher,
                             option_prefix=f'{name}.')

        metrics = run_recipe(cfg, work_dir, bool(args.resume), stage_fn,
                             logger=lambda m: print_log(m, logger='current'), stage_options=stage_options,
                             cache_context=dict(amp=args.amp))
    else:
        metrics = run_stage(cfg, work_dir, args.resume, evaluate=False, amp=args.amp, launcher=args.launcher)
    if metrics:
        print_log('final evaluation: ' + ', '.join(f'{k}={v}' for k, v in metrics.items()), logger='current')
    return metrics


if __name__ == '__main__':
    from densessl.engine.distributed import run_then_teardown
    run_then_teardown(main)
