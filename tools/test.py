#!/usr/bin/env python
"""Evaluate a checkpoint (mIoU, and Dice where the config asks for it; per-volume Dice / HD95 for volume data).

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out METRICS.json] [--show-dir DIR] [--cfg-options ...]
    tools/dist_test.sh CONFIG CHECKPOINT N [args]

Besides the metrics (printed, and written to ``--out``), a per-class table (IoU, Dice, and HD95 where the config's
evaluator computes it) is printed and written next to the metrics as ``<out stem>_per_class.json`` and ``.csv``
(``<work dir>/metrics_per_class.*`` without ``--out``); with a :class:`~densessl.evaluation.VolumeMetric`, one row
per volume goes to ``<stem>_per_volume.csv``. ``--show-dir DIR`` writes one PNG per test sample: image | ground
truth | prediction, the masks drawn over the image in the dataset's palette.
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
    parser.add_argument('--show-dir', help='write image | ground truth | prediction overlay PNGs into this folder')
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
    from densessl.evaluation.report import OverlayHook, capture_class_tables, write_reports
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
    # the weights come from the checkpoint: no ImageNet initialisation file is needed to test
    setup_distributed(cfg, args.launcher)
    ensure_demo_data_for(cfg)
    unique_experiment_name(cfg)
    runner = Runner.from_cfg(cfg)
    evaluator = runner.test_loop.evaluator
    capture_class_tables(evaluator)
    if args.show_dir:
        runner.register_hook(OverlayHook(args.show_dir, bgr=_bgr_inputs(cfg)))
    metrics = runner.test()
    metrics = {k: float(v) if hasattr(v, '__float__') else v for k, v in metrics.items()}
    if runner.rank == 0:
        if args.out:
            os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
            with open(args.out, 'w') as f:
                json.dump(metrics, f, indent=2)
        write_reports(evaluator, osp.splitext(args.out)[0] if args.out else osp.join(cfg.work_dir, 'metrics'))
    print(json.dumps(metrics, indent=2))
    return metrics


def _bgr_inputs(cfg) -> bool:
    """Whether 3-channel network inputs are BGR (the data preprocessor converts them), for the overlays."""
    pre = cfg.model.get('data_preprocessor') or {}
    pre = pre.get('data_preprocessor', pre)  # a semi-supervised model's MultiBranchDataPreprocessor
    return bool(pre.get('bgr_to_rgb', True))


if __name__ == '__main__':
    from densessl.engine.distributed import run_then_teardown
    run_then_teardown(main)
