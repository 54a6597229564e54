"""densessl.engine.experiment: runs as recipes (a shared stage trains once, finished runs are skipped, a stage folder
of the scripts before recipes is adopted with its very backbone file), recipe files, and the result tables."""
import json
import os
import os.path as osp
from collections import OrderedDict

import pytest
import torch
from mmengine.config import Config

from densessl.engine import experiment
from densessl.engine.experiment import (Experiment, adopt_finished_stage, markdown_table, option_strings,
                                        recipe_stages, write_recipe)
from tests.helpers.tiny_seg import tiny_seg_config, write_config, write_tiny_seg_data


@pytest.fixture(scope='module')
def tiny_configs(tmp_path_factory):
    """A tiny pretraining config and a tiny finetuning config (both seconds on a CPU)."""
    root = tmp_path_factory.mktemp('tiny')
    data = write_tiny_seg_data(str(root / 'data'))
    write_config(tiny_seg_config(data, max_iters=2, val_interval=100), str(root / 'pre.py'))
    write_config(tiny_seg_config(data, max_iters=2, val_interval=100), str(root / 'ft.py'))
    return str(root / 'pre.py'), str(root / 'ft.py')


def test_write_recipe_round_trip(tmp_path):
    stages = [dict(name='a', config='/x/a.py', work_dir='../a', cfg_options={
        'model.backbone': dict(type='R', strides=(1, 2), _delete_=True), 'param_scheduler': [dict(end=3)],
        'train_cfg.max_iters': 4, 'model.weight_reg': 0., 'train_dataloader.persistent_workers': False}),
        dict(name='b', config='/x/b.py', init_backbone_from='a', backbone_key='model.backbone')]
    path = write_recipe(str(tmp_path / 'r' / 'recipe.py'), stages, evaluate=False, comment='two stages')
    assert open(path).readline() == '# two stages\n' and not osp.exists(path + '.tmp')
    cfg = Config.fromfile(path)
    assert cfg.evaluate is False and cfg.to_dict()['stages'] == stages
    assert recipe_stages(path) == stages  # absolute config paths stay as they are
    (tmp_path / 'r' / 'rel.py').write_text("stages = [dict(name='a', config='../cfg/a.py')]\n")
    assert recipe_stages(str(tmp_path / 'r' / 'rel.py'))[0]['config'] == str(tmp_path / 'cfg' / 'a.py')
    with pytest.raises(ValueError, match='not a recipe'):
        recipe_stages(write_config(dict(x=1), str(tmp_path / 'plain.py')))


def test_option_strings_refuse_values_the_command_line_would_change():
    opts = option_strings({'ft': {'a.b': 'x/y.txt', 'c': 0.5, 'd': True}})
    assert opts == ['ft.a.b=x/y.txt', 'ft.c=0.5', 'ft.d=True']
    for bad in ('a,b', '', [1, 2], dict(x=1), '(1)'):
        with pytest.raises(ValueError, match="ft.k: .* stage's cfg_options"):
            option_strings({'ft': {'k': bad}})


def test_adopt_finished_stage(tmp_path):
    folder = tmp_path / 'source'
    folder.mkdir()
    assert not adopt_finished_stage(str(folder), 'src.py')  # nothing finished there
    torch.save({'backbone.w': torch.ones(1)}, folder / 'iter_4.pth')
    torch.save({'w': torch.ones(1)}, folder / 'backbone.pth')
    (folder / 'last_checkpoint').write_text(str(folder / 'iter_4.pth'))
    (folder / 'time.json').write_text(json.dumps(dict(seconds=12.5)))
    assert adopt_finished_stage(str(folder), 'src.py', {'randomness.seed': 0})
    done = json.loads((folder / 'stage_done.json').read_text())
    assert done['checkpoint'] == str(folder / 'iter_4.pth') and done['backbone'] == str(folder / 'backbone.pth')
    assert done['seconds'] == 12.5 and done['cfg_options'] == {'randomness.seed': 0} and not done['evaluated']
    assert not adopt_finished_stage(str(folder), 'src.py')  # already a recipe stage: left alone


def test_markdown_table_columns():
    groups = OrderedDict([(('5pct', 'cutmix'), [(0, dict(mIoU=40.0, mDice=50.0)), (2, dict(mIoU=42.0))]),
                          (('5pct', 'sup'), [])])
    text = markdown_table(groups, ['mIoU', ('best', lambda name, runs: f'{name[1]}:{len(runs)}'), 'mDice'],
                          labels={('5pct', 'sup'): ('5pct', 'Supervised')}, name_header=('setting', 'method'),
                          headers={'mIoU': 'mIoU (%)'}, count='runs', time=True)
    assert text.splitlines() == [
        '| setting | method | seeds | mIoU (%) | best | mDice | per-seed mIoU (%) | train min/run | runs |',
        '|---|---|---|---|---|---|---|---|---|',
        '| 5pct | cutmix | 0, 2 | 41.00 ± 1.41 | cutmix:2 | 50.00 | 40.00, 42.00 | - | 2 |',
        '| 5pct | Supervised | - | n/a | sup:0 | n/a |  | - | 0 |']
    assert 'train min' not in markdown_table(groups, ['mIoU'])  # no run recorded its time


def test_runs_share_a_stage_skip_finished_runs_and_adopt_old_folders(tiny_configs, tmp_path, monkeypatch):
    pre, ft = tiny_configs
    work = tmp_path / 'exp'
    shared = dict(name='pre', config=pre, work_dir=str(work / 'pre'))
    exp = Experiment('test')
    finetune = dict(name='ft', config=ft, init_backbone_from='pre', backbone_key='model.backbone')
    a = exp.run(str(work / 'a_seed0'), [shared, finetune], {'ft': {'randomness.seed': 0}}, what='a')
    assert 'mIoU' in a and a['train_minutes'] > 0
    assert json.loads((work / 'a_seed0' / 'test_metrics.json').read_text()) == a
    assert (work / 'a_seed0' / 'test_metrics_per_class.json').exists()  # the evaluation's per-class table
    recipe = Config.fromfile(str(work / 'a_seed0' / 'recipe.py'))
    assert recipe.stages[0]['work_dir'] == '../pre' and recipe.stages[1]['work_dir'] == '.'
    log = (work / 'a_seed0' / 'run.log').read_text()
    assert log.startswith('$ ') and '--resume --cfg-options ft.randomness.seed=0' in log.splitlines()[0]
    pre_ckpt = work / 'pre' / 'iter_2.pth'
    mtime = osp.getmtime(pre_ckpt)
    # a second run starts from the same, finished pretraining: it is not trained again
    exp.run(str(work / 'b_seed0'), [shared, finetune], {'ft': {'randomness.seed': 1}}, what='b')
    assert osp.getmtime(pre_ckpt) == mtime
    handed = Config.fromfile(str(work / 'b_seed0' / 'ft.py')).model.backbone.init_cfg.checkpoint
    assert handed == str(work / 'pre' / 'backbone.pth')
    # finished runs are read, not run; --table-only runs nothing
    monkeypatch.setattr(experiment, 'train_recipe', lambda *a, **k: pytest.fail('a finished run was started'))
    assert exp.run(str(work / 'a_seed0'), [shared, finetune]) == a
    assert Experiment('test', table_only=True).run(str(work / 'c_seed0'), [shared, finetune]) is None
    assert not (work / 'c_seed0').exists()


def test_a_folder_of_the_scripts_before_recipes_hands_over_its_backbone(tiny_configs, tmp_path):
    """A source folder made before the scripts ran recipes (backbone.pth, last_checkpoint, time.json): the run
    starts from that very backbone file, and the folder is not trained again."""
    pre, ft = tiny_configs
    old = tmp_path / 'exp' / 'source'
    old.mkdir(parents=True)
    weights = {k: torch.full_like(v, 0.5) if v.is_floating_point() else v
               for k, v in _tiny_backbone_weights(pre, tmp_path).items()}
    torch.save({'state_dict': {'backbone.' + k: v for k, v in weights.items()}}, old / 'iter_9.pth')
    torch.save({'state_dict': weights}, old / 'backbone.pth')  # bare keys, as extract_backbone writes them
    (old / 'last_checkpoint').write_text(str(old / 'iter_9.pth'))
    (old / 'time.json').write_text('{"seconds": 60.0}')
    stages = [dict(name='source', config=pre, work_dir=str(old)),
              dict(name='ft', config=ft, init_backbone_from='source', backbone_key='model.backbone')]
    run = str(tmp_path / 'exp' / '5pct-source' / 'cutmix_seed0')
    Experiment('test').run(run, stages, {'source': {'randomness.seed': 0}, 'ft': {'train_cfg.max_iters': 1}})
    assert sorted(os.listdir(old)) == ['backbone.pth', 'iter_9.pth', 'last_checkpoint', 'stage_done.json',
                                       'time.json']  # not trained again
    assert Config.fromfile(osp.join(run, 'ft.py')).model.backbone.init_cfg.checkpoint == str(old / 'backbone.pth')
    assert 'finished with --cfg-options' not in open(osp.join(run, 'run.log')).read()  # the same overrides


def _tiny_backbone_weights(config, tmp_path):
    """The tiny model's initial backbone weights (bare keys: the shapes an adopted backbone must have)."""
    from densessl.registry import MODELS
    from densessl.utils import register_all_modules
    register_all_modules()
    model = MODELS.build(Config.fromfile(config).model)
    return {k[len('backbone.'):]: v for k, v in model.state_dict().items() if k.startswith('backbone.')}
