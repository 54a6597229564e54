#!/usr/bin/env python
"""Evidence experiment: semi-supervised segmentation on the demo scenes at few labels.

Same iteration budget for every method (``--iters``, default the configs' 1000; DeepLabV3+ R18, 96x96 crops), every
network starting from the same weights (``--init``): ``source`` (default), the demo's stand-in for
the ImageNet weights the method starts from: the backbone of a supervised DeepLabV3+ trained once on the source
scenes (configs/deeplabv3plus/deeplabv3plus_r18-d16_1xb8-2k_demo-source-96x96.py: the six Fashion-MNIST classes
that are not demo classes), extracted and given as every method's ``backbone.init_cfg`` (PixPro starts from it and
is regularised toward it), or ``scratch`` (random weights). The methods:

- ``supervised``          the labeled split only (configs/deeplabv3plus/..._demo-5pct-96x96.py, its split swapped);
- ``cutmix`` / ``classmix`` mean teachers on labeled + unlabeled scenes (configs/{cutmix,classmix}/..._demo-*.py);
- ``classmix_flex``       ClassMix with FlexMatch's class-wise thresholds (a variant, not in the paper);
- ``cutmix_ema_bn``       CutMix with the old teacher BN statistics (the EMA of the student's: issue 10's defect);
- ``fixmatch_seg``        FixMatch for segmentation (configs/fixmatch_seg/..._demo-*.py);
- ``unimatch``            UniMatch (configs/unimatch/..._demo-*.py);
- ``pixpro_supervised``   supervised finetuning from the PixPro target-pretrained backbone;
- ``pixpro_cutmix``       the method: PixPro target pretraining on all training scenes, then CutMix;
- ``pixpro_unimatch``     PixPro target pretraining, then UniMatch.

The PixPro stage (configs/pixpro/pixpro_r18-d16_1xb32-300it_demo-96x96.py) runs once per seed and is shared by the
two ``pixpro_*`` methods; its backbone is handed over with :func:`densessl.apis.extract_backbone`. Every finished
run is evaluated with ``tools/test.py`` on the 200 validation scenes (teacher for the mean teachers) and leaves
``<work-dir>/<setting>[-source]/<method>_seed<k>/test_metrics.json``; finished runs are skipped when restarted.
The table (mean and spread over seeds) goes to ``<work-dir>/results_<setting>[-source].md`` and stdout::

    python tools/experiments/seg_demo_ssl.py                             # 5pct, all methods, seeds 0 1 2
    python tools/experiments/seg_demo_ssl.py --methods supervised cutmix fixmatch_seg unimatch pixpro_unimatch
    python tools/experiments/seg_demo_ssl.py --iters 2000 --methods supervised cutmix   # a longer schedule
    python tools/experiments/seg_demo_ssl.py --init scratch              # the same from random weights
    python tools/experiments/seg_demo_ssl.py --setting 1pct --methods supervised cutmix --seeds 0
"""
import argparse
import json
import os
import os.path as osp
import statistics
import subprocess
import sys
import time

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)

SUPERVISED = 'configs/deeplabv3plus/deeplabv3plus_r18-d16_1xb8-1k_demo-5pct-96x96.py'
PIXPRO = 'configs/pixpro/pixpro_r18-d16_1xb32-300it_demo-96x96.py'
SOURCE = 'configs/deeplabv3plus/deeplabv3plus_r18-d16_1xb8-2k_demo-source-96x96.py'
SEMI_KEY = 'model.segmentor.backbone'
METHODS = {
    # name: (config template, backbone key, uses PixPro[, extra --cfg-options])
    'supervised': (SUPERVISED, 'model.backbone', False),
    'cutmix': ('configs/cutmix/cutmix_r18-d16_1xb16-1k_demo-{setting}-96x96.py', 'model.segmentor.backbone', False),
    'classmix': ('configs/classmix/classmix_r18-d16_1xb16-1k_demo-{setting}-96x96.py', 'model.segmentor.backbone',
                 False),
    'classmix_flex': ('configs/classmix/classmix-flexthr_r18-d16_1xb16-1k_demo-{setting}-96x96.py',
                      'model.segmentor.backbone', False),
    'pixpro_supervised': (SUPERVISED, 'model.backbone', True),
    'pixpro_cutmix': ('configs/cutmix/cutmix_r18-d16_1xb16-1k_demo-{setting}-96x96.py', 'model.segmentor.backbone',
                      True),
    'cutmix_ema_bn': ('configs/cutmix/cutmix_r18-d16_1xb16-1k_demo-{setting}-96x96.py', SEMI_KEY, False,
                      ['model.semi_train_cfg.teacher_bn_stats=ema']),
    'fixmatch_seg': ('configs/fixmatch_seg/fixmatch-seg_r18-d16_1xb16-1k_demo-{setting}-96x96.py', SEMI_KEY, False),
    'unimatch': ('configs/unimatch/unimatch_r18-d16_1xb16-1k_demo-{setting}-96x96.py', SEMI_KEY, False),
    'pixpro_unimatch': ('configs/unimatch/unimatch_r18-d16_1xb16-1k_demo-{setting}-96x96.py', SEMI_KEY, True),
}
LABELS = {
    'supervised': 'Supervised only', 'cutmix': 'CutMix', 'classmix': 'ClassMix',
    'classmix_flex': 'ClassMix + class-wise (FlexMatch) thresholds',
    'pixpro_supervised': 'PixPro target pretraining + supervised',
    'pixpro_cutmix': 'PixPro target pretraining + CutMix',
    'cutmix_ema_bn': 'CutMix, teacher BN statistics = EMA of the student\'s (before issue 10)',
    'fixmatch_seg': 'FixMatch', 'unimatch': 'UniMatch', 'pixpro_unimatch': 'PixPro target pretraining + UniMatch'
}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--setting', default='5pct', choices=['1pct', '2pct', '5pct'],
                   help='label fraction (classmix_flex has a 5pct config only)')
    p.add_argument('--methods', nargs='+', default=list(METHODS), choices=list(METHODS))
    p.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    p.add_argument('--iters', type=int, default=1000, help='finetuning iterations (all methods)')
    p.add_argument('--pixpro-iters', type=int, default=300)
    p.add_argument('--work-dir', default=osp.join(REPO, 'work_dirs', 'seg_demo_ssl'))
    p.add_argument('--table-only', action='store_true', help='only tabulate the finished runs')
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--init', default='source', choices=['scratch', 'source'],
                   help='starting weights of every network: random, or the source-pretrained backbone')
    return p.parse_args(argv)


def _tag(args) -> str:
    return '' if args.init == 'scratch' else '-' + args.init


def _init_options(key: str, checkpoint: str):
    return [f'{key}.init_cfg.type=Pretrained', f'{key}.init_cfg.checkpoint={checkpoint}']


def _pretrain_stage(out: str, config: str, options, what: str) -> str:
    """Run (or reuse) a pretraining stage in ``out``; extract its backbone to ``out/backbone.pth`` and return it."""
    backbone = osp.join(out, 'backbone.pth')
    if osp.isfile(backbone):
        return backbone
    os.makedirs(out, exist_ok=True)
    secs = _run([sys.executable, 'tools/train.py', config, '--work-dir', out, '--cfg-options'] + list(options),
                osp.join(out, 'run.log'))
    from densessl.apis import extract_backbone
    with open(osp.join(out, 'last_checkpoint')) as f:
        extract_backbone(f.read().strip(), backbone)
    with open(osp.join(out, 'time.json'), 'w') as f:
        json.dump(dict(seconds=secs), f)
    print(f'[seg_demo_ssl] {what}: {secs / 60:.1f} min -> {backbone}', flush=True)
    return backbone


def source_backbone(args) -> str:
    """Run (or reuse) the supervised source pretraining (once, seed 0: the fixed "ImageNet" weights of every run);
    returns the extracted backbone file."""
    return _pretrain_stage(osp.join(args.work_dir, 'source'), SOURCE, ['randomness.seed=0'], 'source pretraining')


def _run(cmd, log):
    t0 = time.time()
    env = dict(os.environ, PYTHONPATH=REPO)
    with open(log, 'a') as f:
        f.write('$ ' + ' '.join(cmd) + '\n')
        f.flush()
        proc = subprocess.run(cmd, cwd=REPO, stdout=f, stderr=subprocess.STDOUT, env=env)
    if proc.returncode:
        raise RuntimeError(f'command failed ({proc.returncode}), see {log}: {" ".join(cmd)}')
    return time.time() - t0


def _split_options(method: str, setting: str):
    """The supervised config is the 5 % one: point it at ``setting``'s labeled split."""
    if method in ('supervised', 'pixpro_supervised'):
        return [f'train_dataloader.dataset.ann_file={REPO}/data/splits/demo/{setting}/labeled.txt']
    return []


def pixpro_backbone(seed: int, args) -> str:
    """Run (or reuse) the PixPro stage of ``seed``; returns the extracted backbone file."""
    out = osp.join(args.work_dir, 'pixpro' + _tag(args), f'seed{seed}')
    if osp.isfile(osp.join(out, 'backbone.pth')):  # reused: no source stage needed
        return osp.join(out, 'backbone.pth')
    start = _init_options('model.backbone', source_backbone(args)) if args.init == 'source' else []
    return _pretrain_stage(out, PIXPRO, [f'randomness.seed={seed}', f'train_cfg.max_iters={args.pixpro_iters}',
                                         f'default_hooks.checkpoint.interval={args.pixpro_iters}'] + start,
                           f'PixPro seed {seed}')


def run_method(method: str, seed: int, args) -> dict:
    template, key, uses_pixpro, *extra = METHODS[method]
    config = template.format(setting=args.setting)
    out = osp.join(args.work_dir, args.setting + _tag(args), f'{method}_seed{seed}')
    result_file = osp.join(out, 'test_metrics.json')
    if osp.isfile(result_file):
        with open(result_file) as f:
            return json.load(f)
    if args.table_only:
        return None
    os.makedirs(out, exist_ok=True)
    log = osp.join(out, 'run.log')
    opts = [f'randomness.seed={seed}', f'train_cfg.max_iters={args.iters}',
            f'param_scheduler.0.end={args.iters}', f'train_cfg.val_interval={args.iters}',
            f'default_hooks.checkpoint.interval={args.iters}'] + _split_options(method, args.setting)
    opts += extra[0] if extra else []
    if uses_pixpro:
        opts += _init_options(key, pixpro_backbone(seed, args))
    elif args.init == 'source':
        opts += _init_options(key, source_backbone(args))
    secs = _run([sys.executable, 'tools/train.py', config, '--work-dir', out, '--cfg-options'] + opts, log)
    ckpt = osp.join(out, f'iter_{args.iters}.pth')
    _run([sys.executable, 'tools/test.py', config, ckpt, '--work-dir', osp.join(out, 'test'), '--out',
          result_file], log)
    with open(result_file) as f:
        metrics = json.load(f)
    metrics['train_minutes'] = round(secs / 60, 2)
    with open(result_file, 'w') as f:
        json.dump(metrics, f, indent=2)
    print(f'[seg_demo_ssl] {method} seed {seed}: mIoU {metrics.get("mIoU")} ({secs / 60:.1f} min)', flush=True)
    return metrics


def _fmt(values):
    if not values:
        return 'n/a'
    mean = statistics.mean(values)
    if len(values) == 1:
        return f'{mean:.2f}'
    return f'{mean:.2f} ± {statistics.stdev(values):.2f}'


def table(results: dict, args) -> str:
    n_labeled = len(open(osp.join(REPO, 'data', 'splits', 'demo', args.setting, 'labeled.txt')).read().split())
    start = 'from scratch' if args.init == 'scratch' else 'from the source-pretrained backbone'
    lines = [f'Demo scenes, {args.setting} ({n_labeled} labeled of 1000), {args.iters} iterations, {start}, seeds '
             f'{" ".join(map(str, args.seeds))} (mean ± std over seeds)', '',
             '| method | mIoU | mDice | per-seed mIoU | train min/run |', '|---|---|---|---|---|']
    for method in args.methods:
        runs = results.get(method, [])
        miou = [r['mIoU'] for r in runs]
        mdice = [r['mDice'] for r in runs if 'mDice' in r]
        mins = [r.get('train_minutes', 0) for r in runs]
        lines.append(f'| {LABELS[method]} | {_fmt(miou)} | {_fmt(mdice)} | {", ".join(f"{v:.2f}" for v in miou)} | '
                     f'{statistics.mean(mins) if mins else 0:.1f} |')
    return '\n'.join(lines)


def main(argv=None):
    args = parse_args(argv)
    os.environ.setdefault('OMP_NUM_THREADS', str(args.threads))
    os.makedirs(args.work_dir, exist_ok=True)
    results = {m: [] for m in args.methods}
    for seed in args.seeds:
        for method in args.methods:
            r = run_method(method, seed, args)
            if r is not None:
                results[method].append(r)
                text = table(results, args)
                with open(osp.join(args.work_dir, f'results_{args.setting}{_tag(args)}.md'), 'w') as f:
                    f.write(text + '\n')
    text = table(results, args)
    print(text)
    return results


if __name__ == '__main__':
    main()
