#!/usr/bin/env python
"""Evidence experiment: semi-supervised classification on Fashion-MNIST with 40 labels (4 per class).

Runs supervised-only, Pseudo-Label, VAT+EntMin, S4L-Rotation, Mean Teacher and FixMatch from the repository's
configs under one CPU-sized budget and prints / writes the test-accuracy table (mean and spread over seeds)::

    python tools/experiments/cls_fmnist_40labels.py                       # all methods, seeds 0 1
    python tools/experiments/cls_fmnist_40labels.py --methods supervised fixmatch --seeds 0 --iters 300

Same budget for every method: the same backbone (a 3-stage ResNet_CIFAR of width ``--width``, ~0.17M parameters
at width 16, on 28x28 images repeated to 3 channels), the same ``--iters`` iterations of ``--batch`` labeled
images (+ ``--mu`` x that many unlabeled ones for the semi-supervised methods), SGD lr 0.03 (Nesterov, wd 5e-4)
with FixMatch's cosine decay over the run, and an EMA of the student (decay ``--ema``) as the evaluation model.
Everything else (thresholds, weights, ramps relative to the run length) is each config's. Seed ``k`` uses the
balanced split of seed ``k`` (``data/splits/fashion_mnist/40labels`` for seed 0, generated into the work dir
otherwise), so the spread covers both the labeled set and the initialisation.

Each run is a recipe (:mod:`densessl.engine.experiment`): ``<work-dir>/<method>_seed<k>/recipe.py``, the method's
config with the overrides above, run by ``tools/train.py --resume`` (``byol_fixmatch``: after the BYOL stage of the
seed, in ``<work-dir>/byol_pretrain_seed<k>/``, which hands its backbone over), validated at its last iteration. It
writes ``<work-dir>/<method>_seed<k>/result.json`` (test top-1 of the EMA teacher and of the student at that
validation, the run's wall time, the last logged losses); finished runs are skipped when the script is started
again. The table goes to ``<work-dir>/results.md`` and stdout.
"""
import argparse
import os
import os.path as osp
import statistics
import sys
from collections import OrderedDict

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)

from densessl.engine.experiment import Experiment, markdown_table, mean_std, recipe_stages, write_table  # noqa: E402

CONFIGS = {
    'supervised': 'configs/supervised_cls/supervised_resnet18-cifar_1xb64-sgd-cos-1m_fmnist-40labels.py',
    'pseudo_label': 'configs/pseudo_label/pseudo_label_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py',
    'vat_entmin': 'configs/vat/vat-entmin_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py',
    's4l_rotation': 'configs/s4l/s4l-rotation_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py',
    'fixmatch': 'configs/fixmatch/fixmatch_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py',
    'mean_teacher': 'configs/mean_teacher/mean_teacher_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py',
    # stage 2 of configs/byol_fixmatch_fmnist_40labels.py: FixMatch from the BYOL target-pretrained backbone
    'byol_fixmatch': 'configs/fixmatch/fixmatch_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py',
}
BYOL_RECIPE = 'configs/byol_fixmatch_fmnist_40labels.py'
LABELS = {
    'supervised': 'Supervised only', 'pseudo_label': 'Pseudo-Label', 'vat_entmin': 'VAT + EntMin',
    's4l_rotation': 'S4L-Rotation', 'mean_teacher': 'Mean Teacher', 'fixmatch': 'FixMatch',
    'byol_fixmatch': 'BYOL target pretraining + FixMatch'
}
FULL_ITERS = 2**20  # the configs' schedule length, to which their ramp lengths are relative
#: the validation metrics of the last validation (at the end of the run): the EMA teacher's and the student's
TEACHER_TOP1, STUDENT_TOP1 = 'teacher/accuracy/top1', 'student/accuracy/top1'


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--methods', nargs='+', default=list(CONFIGS), choices=list(CONFIGS))
    p.add_argument('--seeds', nargs='+', type=int, default=[0, 1])
    p.add_argument('--iters', type=int, default=1500)
    p.add_argument('--batch', type=int, default=16, help='labeled images per batch')
    p.add_argument('--mu', type=int, default=7, help='unlabeled images per labeled one')
    p.add_argument('--width', type=int, default=16, help='channels of the first stage of the ResNet')
    p.add_argument('--ema', type=float, default=0.99, help='EMA decay of the evaluation model')
    p.add_argument('--lr', type=float, default=0.03)
    p.add_argument('--workers', type=int, default=1, help='data loader workers')
    p.add_argument('--threads', type=int, default=1,
                   help='torch threads; on a shared CPU 1 is far faster (2 OpenMP threads waiting for each other '
                   'on an oversubscribed host made a small step ~100x slower here)')
    p.add_argument('--work-dir', default=osp.join(REPO, 'work_dirs', 'cls_fmnist_40labels'))
    p.add_argument('--table-only', action='store_true', help='only tabulate the finished runs')
    p.add_argument('--byol-iters', type=int, default=1000, help='BYOL target-pretraining iterations')
    p.add_argument('--byol-batch', type=int, default=256, help='BYOL batch (images, two views each)')
    p.add_argument('--val-images', type=int, default=10000, help='test images to evaluate on (all: 10000)')
    return p.parse_args(argv)


def split_dir(seed: int, work_dir: str) -> str:
    """The 40-label split of ``seed`` (the committed one for seed 0)."""
    if seed == 0:
        return osp.join(REPO, 'data', 'splits', 'fashion_mnist', '40labels')
    sys.path.insert(0, osp.join(REPO, 'tools'))
    from make_cls_splits import make_cls_splits, split_dir_name
    out = osp.join(work_dir, 'splits')
    folder = osp.join(out, 'fashion_mnist', split_dir_name(40, seed))
    if not osp.isfile(osp.join(folder, 'unlabeled.txt')):
        make_cls_splits('fashion_mnist', [40], seed=seed, data_root=osp.join(REPO, 'data', 'fashion_mnist'),
                        out=out)
    return folder


def _small_backbone(width: int, in_channels: int = 3) -> dict:
    return dict(type='mmpretrain.ResNet_CIFAR', depth=18, num_stages=3, strides=(1, 2, 2), dilations=(1, 1, 1),
                stem_channels=width, base_channels=width, out_indices=(2, ), style='pytorch', in_channels=in_channels)


def _replace(value: dict) -> dict:
    """An override that replaces a config dict instead of merging into it."""
    return dict(value, _delete_=True)


def byol_stage(seed: int, args) -> dict:
    """Stage 1 of the BYOL -> FixMatch recipe on the experiment's backbone, in ``<work-dir>/byol_pretrain_seed<k>``.

    The recipe's BYOL stage (3-channel stem, GrayToRGB, BYOL's views) for ``--byol-iters`` iterations of
    ``--byol-batch`` images, LARS with warm-up + cosine, the target network's momentum from 0.99 to 1. Training
    starts from random weights here (no ImageNet file for 28-px grey images), so the weight regulariser toward
    the starting weights is off: pulling toward a random initialisation is not the method's prior.
    """
    from mmengine.config import Config
    stage = recipe_stages(osp.join(REPO, BYOL_RECIPE))[0]
    cfg = Config.fromfile(stage['config'])
    cfg.merge_from_dict(dict(stage.get('cfg_options') or {}))
    warm = max(1, args.byol_iters // 20)
    hooks = {k: v for k, v in cfg.default_hooks.to_dict().items() if k != 'visualization'}
    hooks.update(logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
                 checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=args.byol_iters, max_keep_ckpts=1))
    options = {
        'randomness': _replace(dict(seed=seed)),
        'model.backbone': _replace(_small_backbone(args.width)),
        'model.neck.in_channels': 4 * args.width,
        'model.weight_reg': 0.,
        'train_dataloader.batch_size': args.byol_batch,
        'train_dataloader.num_workers': args.workers,
        'train_dataloader.persistent_workers': args.workers > 0,
        'train_dataloader.dataset.data_root': osp.join(REPO, 'data', 'fashion_mnist'),
        'param_scheduler': [
            dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=warm),
            dict(type='CosineAnnealingLR', T_max=args.byol_iters - warm, by_epoch=False, begin=warm,
                 end=args.byol_iters),
        ],
        'train_cfg': _replace(dict(type='IterBasedTrainLoop', max_iters=args.byol_iters)),
        'log_processor': _replace(dict(by_epoch=False)),
        'default_hooks': _replace(hooks),
    }
    stage.update(name='byol', work_dir=osp.join(args.work_dir, f'byol_pretrain_seed{seed}'),
                 cfg_options=dict(stage.get('cfg_options') or {}, **options))
    return stage


def finetune_options(method: str, seed: int, args) -> dict:
    """The overrides that put a method's config on the experiment's budget (see the module docstring)."""
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(REPO, CONFIGS[method]))
    w = args.width
    opts = {'randomness': _replace(dict(seed=seed)), 'model.classifier.backbone': _replace(_small_backbone(w)),
            'model.classifier.head.in_channels': 4 * w}
    # ramps are given relative to the paper's 2^20 iterations: keep the same share of this run
    stc = cfg.model.get('semi_train_cfg', {})
    if stc.get('rampup_iters'):
        opts['model.semi_train_cfg.rampup_iters'] = max(1, int(round(stc['rampup_iters'] / FULL_ITERS * args.iters)))
    split = split_dir(seed, args.work_dir)
    loader = cfg.train_dataloader
    opts.update({'train_dataloader.num_workers': args.workers, 'train_dataloader.persistent_workers': args.workers > 0})
    if loader.dataset.type == 'ConcatDataset':
        batch = args.batch * (1 + args.mu)
        opts.update({'train_dataloader.batch_size': batch, 'train_dataloader.sampler.batch_size': batch,
                     'train_dataloader.sampler.source_ratio': [1, args.mu]})
        datasets = [(f'train_dataloader.dataset.datasets.{i}', ds) for i, ds in enumerate(loader.dataset.datasets)]
    else:
        opts['train_dataloader.batch_size'] = args.batch
        datasets = [('train_dataloader.dataset', loader.dataset)]
    for key, ds in datasets:
        opts[f'{key}.data_root'] = osp.join(REPO, 'data', 'fashion_mnist')
        opts[f'{key}.split_file'] = osp.join(split, osp.basename(ds.split_file))
    for key in ('val_dataloader', 'test_dataloader'):
        opts.update({f'{key}.dataset.data_root': osp.join(REPO, 'data', 'fashion_mnist'),
                     f'{key}.num_workers': args.workers, f'{key}.persistent_workers': False})
        if args.val_images < 10000:
            opts[f'{key}.dataset.indices'] = args.val_images
    opts['optim_wrapper.optimizer.lr'] = args.lr
    opts['param_scheduler'] = [
        dict(type='CosineAnnealingLR', T_max=args.iters * 16 / 7, eta_min=-args.lr, begin=0, end=args.iters,
             by_epoch=False)
    ]
    opts['train_cfg'] = _replace(dict(type='IterBasedTrainLoop', max_iters=args.iters, val_interval=args.iters))
    hooks = []
    for h in cfg.get('custom_hooks', []):
        h = h.to_dict() if hasattr(h, 'to_dict') else dict(h)
        if h.get('type') == 'MeanTeacherHook':
            h.pop('momentum', None)
            h['teacher_momentum'] = args.ema
        hooks.append(h)
    opts['custom_hooks'] = hooks
    opts['default_hooks.logger.interval'] = 50
    opts['default_hooks.checkpoint'] = _replace(dict(type='CheckpointHook', by_epoch=False, interval=10**9,
                                                     save_last=True, max_keep_ckpts=1))
    return opts


def method_stages(method: str, seed: int, args):
    """The recipe of one run: the method's config on the experiment's budget (after the BYOL stage of ``seed`` for
    ``byol_fixmatch``), validated at its last iteration."""
    stage = dict(name='finetune', config=osp.join(REPO, CONFIGS[method]),
                 cfg_options=finetune_options(method, seed, args))
    if method != 'byol_fixmatch':
        return [stage]
    stage.update(init_backbone_from='byol', backbone_key='model.classifier.backbone')
    return [byol_stage(seed, args), stage]


def _last_train_logs(checkpoint: str) -> dict:
    """The losses / ratios / accuracies of the last training iteration, from the message hub the final checkpoint
    keeps (what the Runner logged, unsmoothed)."""
    import torch
    hub = torch.load(checkpoint, map_location='cpu', weights_only=False).get('message_hub') or {}
    return {k[len('train/'):]: float(v.data[0][-1]) for k, v in hub.get('log_scalars', {}).items()
            if k.startswith('train/') and ('loss' in k or 'ratio' in k or 'acc' in k)}


def collect(method: str, seed: int, args):
    """The ``result.json`` of a finished run: top-1 of the EMA teacher and of the student at the last validation,
    the wall time of the run's last stage, the last logged losses."""
    from densessl.engine.experiment import load_run_metrics

    def result(run_dir: str, done: dict) -> dict:
        metrics = load_run_metrics(run_dir, key=TEACHER_TOP1)
        return dict(method=method, seed=seed, iters=args.iters, batch=args.batch, mu=args.mu, width=args.width,
                    ema=args.ema, teacher_top1=float(metrics[TEACHER_TOP1]),
                    student_top1=float(metrics[STUDENT_TOP1]), train_seconds=round(done.get('seconds') or 0, 1),
                    last_train_logs=_last_train_logs(done['checkpoint']))
    return result


def run_one(method: str, seed: int, args, exp: Experiment):
    run_dir = osp.join(args.work_dir, f'{method}_seed{seed}')
    result = exp.finished(run_dir)
    if result is not None or args.table_only:  # before building the recipe, which writes split files
        return result
    return exp.run(run_dir, method_stages(method, seed, args), evaluate=False, collect=collect(method, seed, args),
                   what=f'{method} seed {seed}')


def table(results, methods) -> str:
    groups = OrderedDict()
    for m in methods:
        runs = [(r['seed'], r) for r in results if r['method'] == m]
        if runs:
            groups[m] = runs

    def teacher(_, runs):
        per_seed = ', '.join(f"s{s}: {r['teacher_top1']:.1f}" for s, r in runs)
        return f"{mean_std([r['teacher_top1'] for _, r in runs], 1)} ({per_seed})"

    columns = [
        ('EMA model top-1 (%)', teacher),
        ('student top-1 (%)', lambda _, runs: mean_std([r['student_top1'] for _, r in runs], 1)),
        ('runs', lambda _, runs: str(len(runs))),
        ('train time / run', lambda _, runs: f"{statistics.mean(r['train_seconds'] for _, r in runs) / 60:.1f} min"),
    ]
    return markdown_table(groups, columns, LABELS, name_header='method', show_seeds=False, per_seed=False,
                          time=False)


def main(argv=None) -> None:
    args = parse_args(argv)
    os.makedirs(args.work_dir, exist_ok=True)
    exp = Experiment('cls_fmnist_40labels', result_file='result.json', table_only=args.table_only,
                     threads=args.threads)
    results = []
    for seed in args.seeds:
        for method in args.methods:
            r = run_one(method, seed, args, exp)
            if r is None:
                continue
            results.append(r)
            print(f"[cls_fmnist_40labels] {method} seed {seed}: EMA {r['teacher_top1']:.2f} % / student "
                  f"{r['student_top1']:.2f} % ({r['train_seconds'] / 60:.1f} min)", flush=True)
    header = (f'Fashion-MNIST, 40 labels, {args.iters} iterations x ({args.batch} labeled + {args.mu} x '
              f'{args.batch} unlabeled), ResNet_CIFAR 3 stages width {args.width}, EMA {args.ema}, '
              f'seeds {args.seeds}, test on {args.val_images} images')
    text = write_table(osp.join(args.work_dir, 'results.md'), header + '\n\n' + table(results, args.methods))
    print(text + '\n')


if __name__ == '__main__':
    main()
