#!/usr/bin/env python
"""Medical demo experiment: the ACDC recipe (UNet from scratch, per-volume Dice / HD95) on the demo scenes in the
ACDC h5 layout, supervised vs CutMix vs UniMatch, at 1 / 3 / 7 labeled "cases".

The data (``data/demo_acdc``: 128x128 one-channel slices of the Fashion-MNIST scenes, 8 per "case" volume; 125
training and 25 validation cases) is written first by ``tools/misc/make_demo_data.py --h5``. Every run uses the same
network (the small UNet of the ACDC configs, 64x64 network input, logits resized back to 128x128), AdamW lr 1e-3
with poly decay (configs/_base_/schedules/adamw_poly_1k_demo_acdc.py: ACDC's SGD lr 0.01 does not train in so few
iterations) and ``--iters`` iterations:

- ``supervised``  the labeled cases only (configs/unet/unet-s5-d16_fcn_1xb8-1k_demo-acdc-1case-64x64.py);
- ``cutmix``      CutMix mean teacher, 8 labeled + 8 unlabeled slices per batch, the teacher evaluated
                  (configs/cutmix/cutmix_unet-s5-d16_1xb16-1k_demo-acdc-1case-64x64.py);
- ``unimatch``    UniMatch (two strong views, feature dropout), the model evaluated
                  (configs/unimatch/unimatch_unet-s5-d16_1xb16-1k_demo-acdc-1case-64x64.py);
- ``unimatch_cb`` UniMatch with class-balanced confidence masks, not run unless named
                  (configs/unimatch/unimatch-cb_unet-s5-d16_1xb16-1k_demo-acdc-1case-64x64.py).

Every run is a one-stage recipe (:mod:`densessl.engine.experiment`: ``<run dir>/recipe.py`` run by ``tools/train.py
--resume``, the seed, the iterations and the split as ``--cfg-options finetune.KEY=VALUE``; the command is the first
line of ``<run dir>/run.log``), tested at its end on the 25 validation volumes (last weights), leaving
``<work-dir>/<cases>case/<method>_seed<k>/test_metrics.json`` (+ ``test_metrics_per_class.csv``,
``test_metrics_per_volume.csv``); finished runs are skipped when restarted. The tables (mean ± std over seeds, as
``tools/analysis/compare_runs.py``) go to ``<work-dir>/results.md`` and stdout::

    python tools/experiments/seg_demo_medical.py                          # 1 3 7 cases, 3 methods, seeds 0 1
    python tools/experiments/seg_demo_medical.py --cases 3 --seeds 0      # one setting, one seed
    python tools/experiments/seg_demo_medical.py --iters 2 --cases 1 --seeds 0 --work-dir /tmp/smoke   # smoke test
    python tools/experiments/seg_demo_medical.py --table-only
"""
import argparse
import importlib.util
import os
import os.path as osp
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)

from densessl.engine.experiment import Experiment, compare, write_table  # noqa: E402

METHODS = {
    # name: (config, semi-supervised)
    'supervised': ('configs/unet/unet-s5-d16_fcn_1xb8-1k_demo-acdc-1case-64x64.py', False),
    'cutmix': ('configs/cutmix/cutmix_unet-s5-d16_1xb16-1k_demo-acdc-1case-64x64.py', True),
    'unimatch': ('configs/unimatch/unimatch_unet-s5-d16_1xb16-1k_demo-acdc-1case-64x64.py', True),
    'unimatch_cb': ('configs/unimatch/unimatch-cb_unet-s5-d16_1xb16-1k_demo-acdc-1case-64x64.py', True),
}
LABELS = {'supervised': 'Supervised only (UNet)', 'cutmix': 'CutMix mean teacher', 'unimatch': 'UniMatch',
          'unimatch_cb': 'UniMatch, class-balanced masks'}
#: the methods run when --methods is not given
DEFAULT_METHODS = ['supervised', 'cutmix', 'unimatch']
METRICS = ['mDice', 'mHD95', 'mIoU']


def _load_tool(relpath: str):
    spec = importlib.util.spec_from_file_location('densessl_' + osp.basename(relpath)[:-3], osp.join(REPO, relpath))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--cases', nargs='+', type=int, default=[1, 3, 7], choices=[1, 3, 7], help='labeled cases')
    p.add_argument('--methods', nargs='+', default=DEFAULT_METHODS, choices=list(METHODS))
    p.add_argument('--seeds', nargs='+', type=int, default=[0, 1])
    p.add_argument('--iters', type=int, default=1000, help='training iterations (all methods)')
    p.add_argument('--work-dir', default=osp.join(REPO, 'work_dirs', 'seg_demo_medical'))
    p.add_argument('--table-only', action='store_true', help='only tabulate the finished runs')
    p.add_argument('--threads', type=int, default=2)
    return p.parse_args(argv)


def split_options(method: str, cases: int):
    """The configs are the 1-case ones: point them at ``cases``' split files."""
    split = osp.join(REPO, 'data', 'splits', 'demo_acdc', str(cases))
    if METHODS[method][1]:
        return {'train_dataloader.dataset.datasets.0.ann_file': f'{split}/labeled.txt',
                'train_dataloader.dataset.datasets.1.ann_file': f'{split}/unlabeled.txt'}
    return {'train_dataloader.dataset.ann_file': f'{split}/labeled.txt'}


def run_dir(args, cases: int, method: str, seed: int) -> str:
    return osp.join(args.work_dir, f'{cases}case', f'{method}_seed{seed}')


def run_method(method: str, cases: int, seed: int, args, exp: Experiment):
    # no validation during training (the last weights are tested once, at the end)
    opts = {'randomness.seed': seed, 'train_cfg.max_iters': args.iters, 'param_scheduler.0.end': args.iters,
            'train_cfg.val_interval': args.iters, 'train_cfg.val_begin': args.iters + 1,
            'default_hooks.checkpoint.interval': args.iters, **split_options(method, cases)}
    stage = dict(name='finetune', config=osp.join(REPO, METHODS[method][0]))
    return exp.run(run_dir(args, cases, method, seed), [stage], {'finetune': opts},
                   what=f'{cases} case(s) {method} seed {seed}')


def tables(args) -> str:
    parts = [f'Demo scenes in the ACDC h5 layout (tools/misc/make_demo_data.py --h5): UNet from scratch, {args.iters} '
             f'iterations, evaluated per volume on the 25 validation cases (Dice / IoU in %, HD95 in pixels of the '
             f'128x128 slices); mean ± std over seeds {" ".join(map(str, args.seeds))}.']
    for cases in args.cases:
        dirs = [run_dir(args, cases, m, s) for m in args.methods for s in args.seeds
                if osp.isfile(osp.join(run_dir(args, cases, m, s), 'test_metrics.json'))]
        if not dirs:
            continue
        with open(osp.join(REPO, 'data', 'splits', 'demo_acdc', str(cases), 'labeled.txt')) as f:
            n_slices = len(f.read().split())
        parts += ['', f'{cases} labeled case(s) ({n_slices} slices):', '',
                  compare(dirs, METRICS, labels=LABELS)]
    return '\n'.join(parts)


def main(argv=None):
    args = parse_args(argv)
    os.environ.setdefault('OMP_NUM_THREADS', str(args.threads))
    os.makedirs(args.work_dir, exist_ok=True)
    exp = Experiment('seg_demo_medical', table_only=args.table_only)
    if not args.table_only:
        _load_tool('tools/misc/make_demo_data.py').main([
            '--h5', '--out', osp.join(REPO, 'data', 'demo'), '--h5-out', osp.join(REPO, 'data', 'demo_acdc'),
            '--splits-out', osp.join(REPO, 'data', 'splits')])
    for seed in args.seeds:
        for cases in args.cases:
            for method in args.methods:
                run_method(method, cases, seed, args, exp)
                write_table(osp.join(args.work_dir, 'results.md'), tables(args))
    text = write_table(osp.join(args.work_dir, 'results.md'), tables(args))
    print(text)
    return text


if __name__ == '__main__':
    main()
