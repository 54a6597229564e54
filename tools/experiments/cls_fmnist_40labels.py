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

Each run writes ``<work-dir>/<method>_seed<k>/result.json`` (test top-1 of the EMA teacher and of the student,
wall time, the last logged losses); finished runs are skipped when the script is started again. The table goes
to ``<work-dir>/results.md`` and stdout.
"""
import argparse
import copy
import json
import os
import os.path as osp
import statistics
import sys
import time

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)

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


def byol_backbone(seed: int, args) -> str:
    """Stage 1 of the BYOL -> FixMatch recipe on the experiment's backbone; returns the backbone file.

    The recipe's BYOL stage (3-channel stem, GrayToRGB, BYOL's views) for ``--byol-iters`` iterations of
    ``--byol-batch`` images, LARS with warm-up + cosine, the target network's momentum from 0.99 to 1. Training
    starts from random weights here (no ImageNet file for 28-px grey images), so the weight regulariser toward
    the starting weights is off: pulling toward a random initialisation is not the method's prior.
    """
    from mmengine.config import Config
    from mmengine.runner import Runner
    from densessl.apis import extract_backbone
    from densessl.engine.recipe import load_stage_configs
    out = osp.join(args.work_dir, f'byol_pretrain_seed{seed}')
    backbone_file = osp.join(out, 'backbone.pth')
    if osp.isfile(backbone_file):
        return backbone_file
    cfg = load_stage_configs(Config.fromfile(osp.join(REPO, BYOL_RECIPE)))[0]['cfg']
    cfg.work_dir = out
    cfg.launcher = 'none'
    cfg.randomness = dict(seed=seed)
    cfg.model.backbone = _small_backbone(args.width)
    cfg.model.neck.in_channels = 4 * args.width
    cfg.model.weight_reg = 0.
    loader = cfg.train_dataloader
    loader.batch_size = args.byol_batch
    loader.num_workers = args.workers
    loader.persistent_workers = args.workers > 0
    loader.dataset.data_root = osp.join(REPO, 'data', 'fashion_mnist')
    warm = max(1, args.byol_iters // 20)
    cfg.param_scheduler = [
        dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=warm),
        dict(type='CosineAnnealingLR', T_max=args.byol_iters - warm, by_epoch=False, begin=warm,
             end=args.byol_iters),
    ]
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=args.byol_iters)
    cfg.log_processor = dict(by_epoch=False)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=50, log_metric_by_epoch=False)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', by_epoch=False, interval=args.byol_iters,
                                        max_keep_ckpts=1)
    cfg.default_hooks.pop('visualization', None)
    start = time.time()
    Runner.from_cfg(cfg).train()
    extract_backbone(osp.join(out, f'iter_{args.byol_iters}.pth'), backbone_file)
    with open(osp.join(out, 'time.json'), 'w') as f:
        json.dump(dict(seconds=round(time.time() - start, 1)), f)
    return backbone_file


def build_cfg(method: str, seed: int, args):
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(REPO, CONFIGS[method]))
    run_dir = osp.join(args.work_dir, f'{method}_seed{seed}')
    cfg.work_dir = run_dir
    cfg.launcher = 'none'
    cfg.randomness = dict(seed=seed)
    w = args.width
    backbone = _small_backbone(w)
    if method == 'byol_fixmatch':
        backbone['init_cfg'] = dict(type='Pretrained', checkpoint=byol_backbone(seed, args))
    cfg.model.classifier.backbone = backbone
    cfg.model.classifier.head.in_channels = 4 * w
    # ramps are given relative to the paper's 2^20 iterations: keep the same share of this run
    stc = cfg.model.get('semi_train_cfg', {})
    if stc.get('rampup_iters'):
        stc['rampup_iters'] = max(1, int(round(stc['rampup_iters'] / FULL_ITERS * args.iters)))
    split = split_dir(seed, args.work_dir)
    loader = cfg.train_dataloader
    loader.num_workers = args.workers
    loader.persistent_workers = args.workers > 0
    semi = loader.dataset.type == 'ConcatDataset'
    if semi:
        loader.batch_size = args.batch * (1 + args.mu)
        loader.sampler.batch_size = loader.batch_size
        loader.sampler.source_ratio = [1, args.mu]
        datasets = loader.dataset.datasets
    else:
        loader.batch_size = args.batch
        datasets = [loader.dataset]
    for ds in datasets:
        ds.data_root = osp.join(REPO, 'data', 'fashion_mnist')
        ds.split_file = osp.join(split, osp.basename(ds.split_file))
    for key in ('val_dataloader', 'test_dataloader'):
        cfg[key].dataset.data_root = osp.join(REPO, 'data', 'fashion_mnist')
        cfg[key].num_workers = args.workers
        cfg[key].persistent_workers = False
        if args.val_images < 10000:
            cfg[key].dataset.indices = args.val_images
    cfg.optim_wrapper.optimizer.lr = args.lr
    cfg.param_scheduler = [
        dict(type='CosineAnnealingLR', T_max=args.iters * 16 / 7, eta_min=-args.lr, begin=0, end=args.iters,
             by_epoch=False)
    ]
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=args.iters, val_interval=args.iters)
    hooks = []
    for h in cfg.get('custom_hooks', []):
        h = copy.deepcopy(h)
        if h.get('type') == 'MeanTeacherHook':
            h.pop('momentum', None)
            h['teacher_momentum'] = args.ema
        hooks.append(h)
    cfg.custom_hooks = hooks
    cfg.default_hooks.logger.interval = 50
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', by_epoch=False, interval=10**9, save_last=True,
                                        max_keep_ckpts=1)
    return cfg


def run_one(method: str, seed: int, args) -> dict:
    from mmengine.runner import Runner
    finished = osp.join(args.work_dir, f'{method}_seed{seed}', 'result.json')
    if osp.isfile(finished):
        with open(finished) as f:
            return json.load(f)
    if args.table_only:
        return None
    cfg = build_cfg(method, seed, args)
    out_file = osp.join(cfg.work_dir, 'result.json')
    if osp.isfile(out_file):
        with open(out_file) as f:
            return json.load(f)
    runner = Runner.from_cfg(cfg)
    start = time.time()
    runner.train()  # validates at the end of training (val_interval = iters)
    train_time = time.time() - start
    metrics = runner.val_loop.run() if runner.val_loop is not None else {}
    scalars = runner.message_hub.log_scalars
    last = {k[len('train/'):]: float(v.data[0][-1]) for k, v in scalars.items()
            if k.startswith('train/') and ('loss' in k or 'ratio' in k or 'acc' in k)}
    result = dict(method=method, seed=seed, iters=args.iters, batch=args.batch, mu=args.mu, width=args.width,
                  ema=args.ema, teacher_top1=float(metrics['teacher/accuracy/top1']),
                  student_top1=float(metrics['student/accuracy/top1']), train_seconds=round(train_time, 1),
                  last_train_logs=last)
    with open(out_file, 'w') as f:
        json.dump(result, f, indent=2)
    return result


def table(results, methods) -> str:
    lines = ['| method | EMA model top-1 (%) | student top-1 (%) | runs | train time / run |',
             '|---|---|---|---|---|']
    for m in methods:
        rs = [r for r in results if r['method'] == m]
        if not rs:
            continue
        t = [r['teacher_top1'] for r in rs]
        s = [r['student_top1'] for r in rs]

        def fmt(v):
            return f'{statistics.mean(v):.1f} ± {statistics.stdev(v):.1f}' if len(v) > 1 else f'{v[0]:.1f}'
        seeds = ', '.join(f"s{r['seed']}: {r['teacher_top1']:.1f}" for r in rs)
        minutes = statistics.mean(r['train_seconds'] for r in rs) / 60
        lines.append(f'| {LABELS[m]} | {fmt(t)} ({seeds}) | {fmt(s)} | {len(rs)} | {minutes:.1f} min |')
    return '\n'.join(lines)


def main(argv=None) -> None:
    args = parse_args(argv)
    os.makedirs(args.work_dir, exist_ok=True)
    from densessl.utils import register_all_modules
    register_all_modules()
    import torch
    torch.set_num_threads(args.threads)
    results = []
    for seed in args.seeds:
        for method in args.methods:
            r = run_one(method, seed, args)
            if r is None:
                continue
            results.append(r)
            print(f"[cls_fmnist_40labels] {method} seed {seed}: EMA {r['teacher_top1']:.2f} % / student "
                  f"{r['student_top1']:.2f} % ({r['train_seconds'] / 60:.1f} min)", flush=True)
    header = (f'Fashion-MNIST, 40 labels, {args.iters} iterations x ({args.batch} labeled + {args.mu} x '
              f'{args.batch} unlabeled), ResNet_CIFAR 3 stages width {args.width}, EMA {args.ema}, '
              f'seeds {args.seeds}, test on {args.val_images} images')
    text = header + '\n\n' + table(results, args.methods) + '\n'
    with open(osp.join(args.work_dir, 'results.md'), 'w') as f:
        f.write(text)
    print(text)


if __name__ == '__main__':
    main()
