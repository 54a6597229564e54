#!/usr/bin/env python
"""Evidence experiment: semi-supervised segmentation on the demo scenes at few labels.

Same iteration budget for every method (``--iters``, default the configs' 1000; DeepLabV3+ R18, 96x96 crops), every
network starting from the same weights (``--init``): ``source`` (default), the demo's stand-in for
the ImageNet weights the method starts from: the backbone of a supervised DeepLabV3+ trained once on the source
scenes (configs/deeplabv3plus/deeplabv3plus_r18-d16_1xb8-2k_demo-source-96x96.py: the six Fashion-MNIST classes
that are not demo classes), given as every method's ``backbone.init_cfg`` (PixPro starts from it and is regularised
toward it), or ``scratch`` (random weights). The methods:

- ``supervised``          the labeled split only (configs/deeplabv3plus/..._demo-5pct-96x96.py, its split swapped);
- ``cutmix`` / ``classmix`` mean teachers on labeled + unlabeled scenes (configs/{cutmix,classmix}/..._demo-*.py);
- ``classmix_flex``       ClassMix with FlexMatch's class-wise thresholds (a variant, not in the paper);
- ``cutmix_ema_bn``       CutMix with the old teacher BN statistics (the EMA of the student's: issue 10's defect);
- ``fixmatch_seg``        FixMatch for segmentation (configs/fixmatch_seg/..._demo-*.py);
- ``unimatch``            UniMatch (configs/unimatch/..._demo-*.py);
- ``unimatch_cb``         UniMatch, class-balanced confidence masks (configs/unimatch/unimatch-cb_..._demo-5pct-*);
- ``pixpro_supervised``   supervised finetuning from the PixPro target-pretrained backbone;
- ``pixpro_cutmix``       the method: PixPro target pretraining on all training scenes, then CutMix;
- ``pixpro_unimatch``     PixPro target pretraining, then UniMatch;
- a config file           a finetuning config (started from ``--init`` like the methods above, its demo split files
                          swapped to ``--setting``'s) or a recipe (its own stages and starting weights; the seed goes
                          to every stage it does not cache, ``--iters`` and the split to its last stage). The run is
                          named after the file.

Every run is a recipe (:mod:`densessl.engine.experiment`): ``<run dir>/recipe.py``, run by ``tools/train.py
--resume`` with the seed, the iterations and the split as ``--cfg-options STAGE.KEY=VALUE`` (the command is the
first line of ``<run dir>/run.log``). Its stages: the source pretraining in ``<work-dir>/source/`` (once, seed 0,
shared by every run), the PixPro stage (configs/pixpro/pixpro_r18-d16_1xb32-300it_demo-96x96.py) in
``<work-dir>/pixpro[-source]/seed<k>/`` (once per seed, shared by the ``pixpro_*`` methods), then the method's
finetuning in the run dir itself, evaluated on the 200 validation scenes (teacher for the mean teachers):
``<work-dir>/<setting>[-source]/<method>_seed<k>/test_metrics.json`` (+ ``test_metrics_per_class.json``).
Finished runs are skipped when restarted (stages that other runs share train once). The table (mean and spread over
seeds) goes to ``<work-dir>/results_<setting>[-source].md`` and stdout::

    python tools/experiments/seg_demo_ssl.py                             # 5pct, all methods, seeds 0 1 2
    python tools/experiments/seg_demo_ssl.py --methods supervised cutmix fixmatch_seg unimatch pixpro_unimatch
    python tools/experiments/seg_demo_ssl.py --iters 2000 --methods supervised cutmix   # a longer schedule
    python tools/experiments/seg_demo_ssl.py --init scratch              # the same from random weights
    python tools/experiments/seg_demo_ssl.py --setting 1pct --methods supervised cutmix --seeds 0
    python tools/experiments/seg_demo_ssl.py --methods cutmix configs/pixpro_demo_5pct.py   # a recipe as a method
"""
import argparse
import os
import os.path as osp
import re
import sys
from collections import OrderedDict

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)

from densessl.engine.experiment import Experiment, markdown_table, recipe_stages, write_table  # noqa: E402

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
    'unimatch_cb': ('configs/unimatch/unimatch-cb_r18-d16_1xb16-1k_demo-{setting}-96x96.py', SEMI_KEY, False),
    'pixpro_unimatch': ('configs/unimatch/unimatch_r18-d16_1xb16-1k_demo-{setting}-96x96.py', SEMI_KEY, True),
}
LABELS = {
    'supervised': 'Supervised only', 'cutmix': 'CutMix', 'classmix': 'ClassMix',
    'classmix_flex': 'ClassMix + class-wise (FlexMatch) thresholds',
    'pixpro_supervised': 'PixPro target pretraining + supervised',
    'pixpro_cutmix': 'PixPro target pretraining + CutMix',
    'cutmix_ema_bn': 'CutMix, teacher BN statistics = EMA of the student\'s (before issue 10)',
    'fixmatch_seg': 'FixMatch', 'unimatch': 'UniMatch', 'unimatch_cb': 'UniMatch, class-balanced masks',
    'pixpro_unimatch': 'PixPro target pretraining + UniMatch'
}
#: the source pretraining's overrides (seed 0 whatever the run's seed: the fixed "ImageNet" weights of every run)
SOURCE_OPTIONS = {'randomness.seed': 0}
#: the name of a run's last stage (the finetuning the run is about)
FINETUNE = 'finetune'


def method_arg(value: str) -> str:
    """A ``--methods`` entry: a method name, or the path of a finetuning config or recipe."""
    if value in METHODS:
        return value
    for path in (value, osp.join(REPO, value)):  # relative to the working directory or to the repository
        if value.endswith('.py') and osp.isfile(path):
            return osp.abspath(path)
    raise argparse.ArgumentTypeError(f'{value!r} is neither a method ({", ".join(METHODS)}) nor a config file')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--setting', default='5pct', choices=['1pct', '2pct', '5pct'],
                   help='label fraction (classmix_flex has a 5pct config only)')
    p.add_argument('--methods', nargs='+', default=list(METHODS), type=method_arg, metavar='METHOD',
                   help=f'methods ({", ".join(METHODS)}) and/or config files: a finetuning config or a recipe')
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


def method_name(method: str) -> str:
    """The run name of a method: itself, or a config file's name without ``.py``."""
    return method if method in METHODS else osp.splitext(osp.basename(method))[0]


def run_dir(method: str, seed: int, args) -> str:
    return osp.join(args.work_dir, args.setting + _tag(args), f'{method_name(method)}_seed{seed}')


def source_stage(args) -> dict:
    """The supervised source pretraining: once for all runs, in ``<work-dir>/source/``."""
    return dict(name='source', config=osp.join(REPO, SOURCE), work_dir=osp.join(args.work_dir, 'source'))


def pixpro_stage(seed: int, args) -> dict:
    """PixPro target pretraining of ``seed``: once per seed, in ``<work-dir>/pixpro[-source]/seed<k>/``, from the
    source backbone with ``--init source``."""
    stage = dict(name='pixpro', config=osp.join(REPO, PIXPRO),
                 work_dir=osp.join(args.work_dir, 'pixpro' + _tag(args), f'seed{seed}'), backbone_key='model.backbone')
    if args.init == 'source':
        stage['init_backbone_from'] = 'source'
    return stage


def pixpro_options(seed: int, args) -> dict:
    return {'randomness.seed': seed, 'train_cfg.max_iters': args.pixpro_iters,
            'default_hooks.checkpoint.interval': args.pixpro_iters}


def pretrain_stages(seed: int, args, pixpro: bool):
    """The stages a finetuning starts from, and their overrides: the source stage (``--init source``) and, for the
    ``pixpro_*`` methods, the PixPro stage of ``seed``."""
    stages, options = [], {}
    if args.init == 'source':
        stages.append(source_stage(args))
        options['source'] = dict(SOURCE_OPTIONS)
    if pixpro:
        stages.append(pixpro_stage(seed, args))
        options['pixpro'] = pixpro_options(seed, args)
    return stages, options


def schedule_options(seed: int, iters: int, cfg=None) -> dict:
    """The seed and the schedule length of a finetuning (validation and the checkpoint at its end)."""
    opts = {'randomness.seed': seed, 'train_cfg.max_iters': iters}
    if cfg is None or isinstance(cfg.get('param_scheduler'), (list, tuple)):
        opts['param_scheduler.0.end'] = iters
    opts.update({'train_cfg.val_interval': iters, 'default_hooks.checkpoint.interval': iters})
    return opts


def split_options(cfg, setting: str) -> dict:
    """Point a config's demo split files (``data/splits/demo/<s>/{labeled,unlabeled}.txt``) at ``setting``'s."""
    ds = cfg.train_dataloader.dataset
    parts = ([(f'train_dataloader.dataset.datasets.{i}', d) for i, d in enumerate(ds.datasets)]
             if 'datasets' in ds else [('train_dataloader.dataset', ds)])
    out = {}
    for key, d in parts:
        m = re.search(r'splits/demo/([^/]+)/(labeled|unlabeled)\.txt$', str(d.get('ann_file') or ''))
        if m and m.group(1) != setting:
            out[f'{key}.ann_file'] = osp.join(REPO, 'data', 'splits', 'demo', setting, m.group(2) + '.txt')
    return out


def _backbone_key(cfg) -> str:
    return SEMI_KEY if 'segmentor' in cfg.model else 'model.backbone'


def method_recipe(method: str, seed: int, args):
    """The stages of one run and their ``--cfg-options`` (per stage name)."""
    from mmengine.config import Config
    if method in METHODS:
        template, key, uses_pixpro, *extra = METHODS[method]
        stages, options = pretrain_stages(seed, args, uses_pixpro)
        ft = dict(name=FINETUNE, config=osp.join(REPO, template.format(setting=args.setting)), backbone_key=key)
        if stages:
            ft['init_backbone_from'] = stages[-1]['name']
        opts = schedule_options(seed, args.iters)
        if method in ('supervised', 'pixpro_supervised'):  # the 5 % config: point it at the setting's labeled split
            opts['train_dataloader.dataset.ann_file'] = f'{REPO}/data/splits/demo/{args.setting}/labeled.txt'
        opts.update(dict(o.split('=', 1) for o in (extra[0] if extra else [])))
        options[FINETUNE] = opts
        return stages + [ft], options
    cfg = Config.fromfile(method)
    if 'stages' not in cfg:  # a finetuning config, started as the built-in methods
        stages, options = pretrain_stages(seed, args, pixpro=False)
        ft = dict(name=FINETUNE, config=method, backbone_key=_backbone_key(cfg))
        if stages:
            ft['init_backbone_from'] = stages[-1]['name']
        options[FINETUNE] = dict(schedule_options(seed, args.iters, cfg), **split_options(cfg, args.setting))
        return stages + [ft], options
    stages = recipe_stages(method)  # a recipe: its stages (in the run dir), seed for each, schedule for the last
    options = {s['name']: {'randomness.seed': seed} for s in stages if not s.get('cache')}
    last = Config.fromfile(stages[-1]['config'])
    if stages[-1].get('cfg_options'):
        last.merge_from_dict(dict(stages[-1]['cfg_options']))
    options.setdefault(stages[-1]['name'], {}).update(schedule_options(seed, args.iters, last),
                                                      **split_options(last, args.setting))
    return stages, options


def run_method(method: str, seed: int, args, exp: Experiment):
    stages, options = method_recipe(method, seed, args)
    return exp.run(run_dir(method, seed, args), stages, options, what=f'{method_name(method)} seed {seed}')


def table(results: dict, args) -> str:
    with open(osp.join(REPO, 'data', 'splits', 'demo', args.setting, 'labeled.txt')) as f:
        n_labeled = len(f.read().split())
    start = 'from scratch' if args.init == 'scratch' else 'from the source-pretrained backbone'
    head = (f'Demo scenes, {args.setting} ({n_labeled} labeled of 1000), {args.iters} iterations, {start}, seeds '
            f'{" ".join(map(str, args.seeds))} (mean ± std over seeds)')
    groups = OrderedDict((m, [(None, r) for r in results.get(m, [])]) for m in args.methods)
    labels = {m: LABELS.get(m, method_name(m)) for m in args.methods}
    return head + '\n\n' + markdown_table(groups, ['mIoU', 'mDice'], labels, name_header='method', show_seeds=False,
                                         time=True)


def main(argv=None):
    args = parse_args(argv)
    os.environ.setdefault('OMP_NUM_THREADS', str(args.threads))
    os.makedirs(args.work_dir, exist_ok=True)
    exp = Experiment('seg_demo_ssl', table_only=args.table_only)
    results = {m: [] for m in args.methods}
    for seed in args.seeds:
        for method in args.methods:
            r = run_method(method, seed, args, exp)
            if r is not None:
                results[method].append(r)
                write_table(osp.join(args.work_dir, f'results_{args.setting}{_tag(args)}.md'), table(results, args))
    text = table(results, args)
    print(text)
    return results


if __name__ == '__main__':
    main()
