"""tools/experiments/*.py as recipes: the recipes they build (stages, shared folders, the overrides the scripts gave
before they ran recipes), the tables they read from finished runs in the layout they always wrote, and their flags."""
import json
import os
import os.path as osp
import sys

import pytest
from mmengine.config import Config

from densessl.engine.experiment import option_strings, write_recipe
from densessl.engine.recipe import load_stage_configs, split_recipe_options
from tests.helpers.fixtures import REPO_ROOT, load_tool

seg = load_tool('tools/experiments/seg_demo_ssl.py')
cls = load_tool('tools/experiments/cls_fmnist_40labels.py')
medical = load_tool('tools/experiments/seg_demo_medical.py')
sys.path.insert(0, osp.join(REPO_ROOT, 'tools', 'experiments'))  # label_advisor_demo imports seg_demo_ssl
advisor = load_tool('tools/experiments/label_advisor_demo.py')

SCHEDULE_1K = ['randomness.seed=0', 'train_cfg.max_iters=1000', 'param_scheduler.0.end=1000',
               'train_cfg.val_interval=1000', 'default_hooks.checkpoint.interval=1000']


def _finished(run_dir, **metrics):
    os.makedirs(run_dir)
    with open(osp.join(run_dir, 'test_metrics.json'), 'w') as f:
        json.dump(metrics, f)


def test_seg_table_only_reads_the_runs_of_the_old_layout(tmp_path, capsys):
    """<work-dir>/<setting>-<init>/<method>_seed<k>/test_metrics.json of runs made before the scripts ran recipes:
    read and tabulated as before; an unfinished run (no test_metrics.json) is left out; nothing is run."""
    work = tmp_path / 'seg'
    _finished(str(work / '5pct-source' / 'cutmix_seed0'), mIoU=46.48, mDice=60.5, train_minutes=17.29)
    _finished(str(work / '5pct-source' / 'cutmix_seed1'), mIoU=46.74, mDice=60.9, train_minutes=18.6)
    _finished(str(work / '5pct-source' / 'supervised_seed0'), mIoU=45.0, mDice=59.0, train_minutes=9.0)
    os.makedirs(work / '5pct-source' / 'supervised_seed1')  # unfinished
    seg.main(['--table-only', '--work-dir', str(work), '--methods', 'supervised', 'cutmix', '--seeds', '0', '1'])
    expected = ['Demo scenes, 5pct (50 labeled of 1000), 1000 iterations, from the source-pretrained backbone, '
                'seeds 0 1 (mean ± std over seeds)', '',
                '| method | mIoU | mDice | per-seed mIoU | train min/run |', '|---|---|---|---|---|',
                '| Supervised only | 45.00 | 59.00 | 45.00 | 9.0 |',
                '| CutMix | 46.61 ± 0.18 | 60.70 ± 0.28 | 46.48, 46.74 | 17.9 |']
    assert capsys.readouterr().out.splitlines() == expected
    assert (work / 'results_5pct-source.md').read_text() == '\n'.join(expected) + '\n'
    assert sorted(os.listdir(work / '5pct-source')) == ['cutmix_seed0', 'cutmix_seed1', 'supervised_seed0',
                                                       'supervised_seed1']
    assert os.listdir(work / '5pct-source' / 'supervised_seed1') == []


def _args(tmp_path, *extra):
    return seg.parse_args(['--work-dir', str(tmp_path / 'seg')] + list(extra))


def test_seg_built_in_methods_give_the_overrides_of_the_old_command_lines(tmp_path):
    """The finetuning gets exactly the --cfg-options the script gave tools/train.py before (as recorded in the
    run.log of those runs), its backbone now handed over by the recipe from the shared source folder."""
    args = _args(tmp_path)
    stages, options = seg.method_recipe('cutmix', 0, args)
    assert [s['name'] for s in stages] == ['source', 'finetune']
    assert stages[0] == dict(name='source', config=osp.join(REPO_ROOT, seg.SOURCE),
                             work_dir=str(tmp_path / 'seg' / 'source'))
    assert stages[1]['config'] == osp.join(REPO_ROOT, 'configs/cutmix/cutmix_r18-d16_1xb16-1k_demo-5pct-96x96.py')
    assert stages[1]['init_backbone_from'] == 'source' and stages[1]['backbone_key'] == 'model.segmentor.backbone'
    assert option_strings(options) == ['source.randomness.seed=0'] + ['finetune.' + o for o in SCHEDULE_1K]
    stages, options = seg.method_recipe('supervised', 0, args)
    assert option_strings(options)[1:] == ['finetune.' + o for o in SCHEDULE_1K] + [
        f'finetune.train_dataloader.dataset.ann_file={REPO_ROOT}/data/splits/demo/5pct/labeled.txt']
    _, options = seg.method_recipe('cutmix_ema_bn', 1, _args(tmp_path, '--setting', '1pct', '--iters', '4'))
    assert options['finetune'] == {'randomness.seed': 1, 'train_cfg.max_iters': 4, 'param_scheduler.0.end': 4,
                                   'train_cfg.val_interval': 4, 'default_hooks.checkpoint.interval': 4,
                                   'model.semi_train_cfg.teacher_bn_stats': 'ema'}
    # the PixPro methods: one PixPro stage per seed, shared, from the source backbone
    stages, options = seg.method_recipe('pixpro_unimatch', 2, _args(tmp_path, '--pixpro-iters', '7'))
    assert [s['name'] for s in stages] == ['source', 'pixpro', 'finetune']
    assert stages[1]['work_dir'] == str(tmp_path / 'seg' / 'pixpro-source' / 'seed2')
    assert stages[1]['init_backbone_from'] == 'source' and stages[2]['init_backbone_from'] == 'pixpro'
    assert options['pixpro'] == {'randomness.seed': 2, 'train_cfg.max_iters': 7,
                                 'default_hooks.checkpoint.interval': 7}
    stages, _ = seg.method_recipe('pixpro_supervised', 0, _args(tmp_path, '--init', 'scratch'))
    assert [s['name'] for s in stages] == ['pixpro', 'finetune'] and 'init_backbone_from' not in stages[0]
    assert stages[0]['work_dir'] == str(tmp_path / 'seg' / 'pixpro' / 'seed0')
    stages, options = seg.method_recipe('cutmix', 0, _args(tmp_path, '--init', 'scratch'))
    assert len(stages) == 1 and 'init_backbone_from' not in stages[0] and list(options) == ['finetune']
    assert seg.run_dir('cutmix', 3, _args(tmp_path, '--init', 'scratch')) == str(tmp_path / 'seg' / '5pct' /
                                                                               'cutmix_seed3')


def test_seg_the_built_recipe_loads_to_the_old_finetuning_config(tmp_path):
    """The recipe written for a run, with its command-line overrides, gives the finetuning config the script used
    to build with tools/train.py CONFIG --cfg-options ...: the same dict but the backbone's init_cfg (set by the
    hand-off)."""
    from mmengine.config import DictAction
    args = _args(tmp_path, '--setting', '2pct', '--iters', '6')
    stages, options = seg.method_recipe('classmix', 1, args)
    stages[-1]['work_dir'] = '.'
    recipe = Config.fromfile(write_recipe(str(tmp_path / 'recipe.py'), stages))
    parsed = {}
    for item in option_strings(options):
        key, value = item.split('=', 1)
        parsed[key] = DictAction._parse_iterable(value)
    own, per_stage = split_recipe_options(recipe, parsed)
    new = load_stage_configs(recipe, per_stage)[-1]['cfg']
    old = Config.fromfile(osp.join(REPO_ROOT, 'configs/classmix/classmix_r18-d16_1xb16-1k_demo-2pct-96x96.py'))
    old.merge_from_dict({k: DictAction._parse_iterable(v) for k, v in
                         (o.split('=', 1) for o in ['randomness.seed=1', 'train_cfg.max_iters=6',
                                                    'param_scheduler.0.end=6', 'train_cfg.val_interval=6',
                                                    'default_hooks.checkpoint.interval=6'])})
    assert own == {} and new.to_dict() == old.to_dict()


def test_seg_config_files_as_methods(tmp_path):
    cutmix_5pct = osp.join(REPO_ROOT, 'configs/cutmix/cutmix_r18-d16_1xb16-1k_demo-5pct-96x96.py')
    args = _args(tmp_path, '--setting', '1pct', '--methods', 'cutmix', 'configs/pixpro_demo_5pct.py', cutmix_5pct)
    assert args.methods == ['cutmix', osp.join(REPO_ROOT, 'configs/pixpro_demo_5pct.py'), cutmix_5pct]
    # a finetuning config: started from the source backbone, its demo split files swapped to --setting's
    stages, options = seg.method_recipe(cutmix_5pct, 0, args)
    assert [s['name'] for s in stages] == ['source', 'finetune'] and stages[1]['config'] == cutmix_5pct
    assert stages[1]['backbone_key'] == 'model.segmentor.backbone'
    split = osp.join(REPO_ROOT, 'data', 'splits', 'demo', '1pct')
    assert options['finetune']['train_dataloader.dataset.datasets.0.ann_file'] == osp.join(split, 'labeled.txt')
    assert options['finetune']['train_dataloader.dataset.datasets.1.ann_file'] == osp.join(split, 'unlabeled.txt')
    assert seg.run_dir(cutmix_5pct, 0, args) == str(tmp_path / 'seg' / '1pct-source' /
                                                    'cutmix_r18-d16_1xb16-1k_demo-5pct-96x96_seed0')
    # a recipe: its own stages; the seed to every stage it does not cache, schedule and split to the last one
    stages, options = seg.method_recipe(args.methods[1], 3, args)
    assert [s['name'] for s in stages] == ['source', 'pixpro', 'cutmix'] and stages[0]['cache']
    assert stages[2]['config'] == cutmix_5pct and stages[2]['init_backbone_from'] == 'pixpro'
    assert 'source' not in options and options['pixpro'] == {'randomness.seed': 3}
    assert options['cutmix']['train_cfg.max_iters'] == 1000 and options['cutmix']['randomness.seed'] == 3
    assert options['cutmix']['train_dataloader.dataset.datasets.0.ann_file'] == osp.join(split, 'labeled.txt')
    with pytest.raises(SystemExit):
        seg.parse_args(['--methods', 'no_such_method'])


def test_cls_recipe_builds_the_experiment_budget(tmp_path):
    """The run's recipe loads to the method's config on the experiment's budget: the small ResNet replacing the
    config's backbone (no key of the old one left), the run's schedule, loaders and EMA decay."""
    args = cls.parse_args(['--work-dir', str(tmp_path / 'cls'), '--iters', '70', '--width', '8', '--mu', '3',
                           '--batch', '4', '--val-images', '100', '--ema', '0.9', '--workers', '0'])
    stages = cls.method_stages('fixmatch', 0, args)
    stages[-1]['work_dir'] = '.'
    cfg = load_stage_configs(Config.fromfile(write_recipe(str(tmp_path / 'recipe.py'), stages)))[-1]['cfg']
    assert cfg.model.classifier.backbone.to_dict() == cls._small_backbone(8)
    assert cfg.model.classifier.head.in_channels == 32 and cfg.randomness.to_dict() == dict(seed=0)
    assert cfg.train_cfg.to_dict() == dict(type='IterBasedTrainLoop', max_iters=70, val_interval=70)
    assert cfg.train_dataloader.batch_size == 16 and cfg.train_dataloader.sampler.source_ratio == [1, 3]
    assert cfg.train_dataloader.dataset.datasets[0].split_file.endswith('fashion_mnist/40labels/labeled.txt')
    assert cfg.val_dataloader.dataset.indices == 100 and cfg.test_dataloader.num_workers == 0
    assert cfg.default_hooks.checkpoint.to_dict() == dict(type='CheckpointHook', by_epoch=False, interval=10**9,
                                                          save_last=True, max_keep_ckpts=1)
    teacher = [h for h in cfg.custom_hooks if h['type'] == 'MeanTeacherHook']
    assert len(teacher) == 1 and teacher[0]['teacher_momentum'] == 0.9 and 'momentum' not in teacher[0]
    # BYOL -> FixMatch: the recipe's BYOL stage (3-channel views) on the small backbone, shared per seed
    byol, ft = cls.method_stages('byol_fixmatch', 1, cls.parse_args(['--work-dir', str(tmp_path / 'cls'),
                                                                      '--byol-iters', '40', '--width', '8']))
    assert byol['work_dir'] == str(tmp_path / 'cls' / 'byol_pretrain_seed1')
    assert ft['init_backbone_from'] == 'byol' and ft['backbone_key'] == 'model.classifier.backbone'
    cfg = load_stage_configs(Config.fromfile(write_recipe(str(tmp_path / 'byol.py'), [byol])))[0]['cfg']
    assert cfg.model.backbone.to_dict() == cls._small_backbone(8) and cfg.model.weight_reg == 0.
    assert cfg.train_dataloader.dataset.pipeline[0]['type'] == 'GrayToRGB'  # the recipe's own override kept
    assert 'visualization' not in cfg.default_hooks and cfg.default_hooks.checkpoint.interval == 40
    assert cfg.param_scheduler[1]['T_max'] == 38 and cfg.train_cfg.to_dict() == dict(type='IterBasedTrainLoop',
                                                                                      max_iters=40)


def test_cls_table_only_reads_result_json(tmp_path, capsys):
    work = tmp_path / 'cls'
    for seed, top1 in ((0, 60.04), (1, 62.0)):
        os.makedirs(work / f'fixmatch_seed{seed}')
        (work / f'fixmatch_seed{seed}' / 'result.json').write_text(json.dumps(dict(
            method='fixmatch', seed=seed, teacher_top1=top1, student_top1=top1 - 1, train_seconds=120.0 * (seed + 1))))
    cls.main(['--table-only', '--work-dir', str(work), '--methods', 'supervised', 'fixmatch'])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith('[cls_fmnist_40labels] fixmatch seed 0: EMA 60.04 % / student 59.04 % (2.0 min)')
    assert lines[-4:] == ['| method | EMA model top-1 (%) | student top-1 (%) | runs | train time / run |',
                         '|---|---|---|---|---|',
                         '| FixMatch | 61.0 ± 1.4 (s0: 60.0, s1: 62.0) | 60.0 ± 1.4 | 2 | 3.0 min |',
                         '']  # the table ends with a newline


def test_medical_run_is_a_one_stage_recipe(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(medical.Experiment, 'run', lambda self, *a, **k: calls.append((a, k)))
    args = medical.parse_args(['--work-dir', str(tmp_path / 'med'), '--iters', '4'])
    medical.run_method('cutmix', 3, 1, args, medical.Experiment('x'))
    (run_dir, stages, options), _ = calls[0]
    assert run_dir == str(tmp_path / 'med' / '3case' / 'cutmix_seed1') and len(stages) == 1
    split = osp.join(REPO_ROOT, 'data', 'splits', 'demo_acdc', '3')
    assert options['finetune'] == {
        'randomness.seed': 1, 'train_cfg.max_iters': 4, 'param_scheduler.0.end': 4, 'train_cfg.val_interval': 4,
        'train_cfg.val_begin': 5, 'default_hooks.checkpoint.interval': 4,
        'train_dataloader.dataset.datasets.0.ann_file': f'{split}/labeled.txt',
        'train_dataloader.dataset.datasets.1.ann_file': f'{split}/unlabeled.txt'}


def test_label_advisor_table(tmp_path):
    args = advisor.parse_args(['--work-dir', str(tmp_path), '--settings', '1pct', '--methods', 'supervised'])
    pc = {'bag': {'IoU': 10.0}}
    results = {('1pct', 'supervised'): {
        'random-s0': [dict(mIoU=40.0, train_minutes=1.0, per_class=pc)],
        'random-s1': [dict(mIoU=42.0, train_minutes=3.0, per_class={'bag': {'IoU': 20.0}})],
        'dense-pixpro': [dict(mIoU=45.0, train_minutes=2.0, per_class=pc)]}}
    rare = advisor._classes().index('bag')
    lines = advisor.results_table(args, results, rare).splitlines()
    assert lines[2:] == ['| setting | method | selection | mIoU | Δ vs random mean | IoU bag | train min/run | runs |',
                         '|---|---|---|---|---|---|---|---|',
                         '| 1pct | Supervised only | random | 41.00 ± 1.41 |  | 15.00 ± 7.07 | 2.0 | 2 |',
                         '| 1pct | Supervised only | dense-pixpro | 45.00 | +4.00 | 10.00 | 2.0 | 1 |']


@pytest.mark.parametrize('method', sorted(advisor.METHODS))
def test_label_advisor_methods_point_at_the_keys_their_configs_have(method):
    """Every advisor method's config has the backbone it is started from and the split files the run swaps."""
    config, key = advisor.METHODS[method]
    cfg = Config.fromfile(osp.join(REPO_ROOT, config))
    node = cfg
    for part in key.split('.'):
        node = node[part]
    assert node['type'].startswith('ResNet')
    dataset = cfg.train_dataloader.dataset
    files = [dataset.ann_file] if method == 'supervised' else [d.ann_file for d in dataset.datasets]
    assert len(files) == (1 if method == 'supervised' else 2) and all(f.endswith('.txt') for f in files)


def test_medical_methods_differ_from_unimatch_only_where_named():
    """unimatch_cb is UniMatch's medical demo config with class-balanced masks and nothing else; it runs when named."""
    assert medical.parse_args([]).methods == ['supervised', 'cutmix', 'unimatch']
    plain, cb = (Config.fromfile(osp.join(REPO_ROOT, medical.METHODS[m][0])) for m in ('unimatch', 'unimatch_cb'))
    assert cb.model.semi_train_cfg.confidence.class_balance is True
    assert plain.model.get('semi_train_cfg', {}).get('confidence', {}).get('class_balance') in (None, False)
    plain.merge_from_dict({'model.semi_train_cfg.confidence.class_balance': True})
    assert cb.to_dict() == plain.to_dict()
