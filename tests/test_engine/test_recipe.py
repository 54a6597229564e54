"""Multi-stage recipes: stage order, backbone hand-off between stages, resume into the right stage."""
import json
import os
import os.path as osp
import re
import sys

import pytest
import torch
from mmengine.config import Config

from densessl.engine.recipe import load_stage_configs, split_recipe_options
from tests.helpers.tiny_seg import tiny_seg_config, write_config, write_tiny_seg_data

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tools'))
import train as train_tool  # noqa: E402


@pytest.fixture(scope='module')
def tiny_data(tmp_path_factory):
    return write_tiny_seg_data(str(tmp_path_factory.mktemp('tiny')))


def _recipe(tmp_path, data, iters=(2, 2), evaluate=True, extra=({}, {})):
    """Two tiny stages 'a' -> 'b' (b starts from a's backbone); ``extra[i]`` is merged into stage i's config."""
    for name, n, more in zip('ab', iters, extra):
        raw = tiny_seg_config(data, max_iters=n, val_interval=100)
        for key, value in more.items():
            node = raw
            *parents, last = key.split('.')
            for part in parents:
                node = node[part]
            node[last] = value
        write_config(raw, str(tmp_path / f'stage_{name}.py'))
    path = tmp_path / 'recipe.py'
    path.write_text("stages = [\n"
                    "    dict(name='a', config='stage_a.py'),\n"
                    "    dict(name='b', config='stage_b.py', init_backbone_from='a', backbone_key='model.backbone'),\n"
                    f"]\nevaluate = {evaluate}\n")
    return str(path)


def _trained_iters(stage_dir):
    """The iterations logged to ``scalars.json`` under ``stage_dir`` (by the stage's own visualizer)."""
    iters = []
    for root, _, files in os.walk(stage_dir):
        if 'scalars.json' in files:
            with open(osp.join(root, 'scalars.json')) as f:
                iters += [json.loads(line)['iter'] for line in f if 'loss' in line]
    return iters


def test_recipe_runs_stages_in_order_and_hands_the_backbone_over(tiny_data, tmp_path):
    recipe = _recipe(tmp_path, tiny_data)
    work = tmp_path / 'work'
    metrics = train_tool.main([recipe, '--work-dir', str(work)])
    assert 'mIoU' in metrics
    done_a = json.loads((work / 'a' / 'stage_done.json').read_text())
    done_b = json.loads((work / 'b' / 'stage_done.json').read_text())
    assert done_a['checkpoint'].endswith('iter_2.pth') and done_b['evaluated'] and 'mIoU' in done_b['metrics']
    assert done_a['backbone'] == str(work / 'a' / 'backbone.pth')  # extracted once, next to a's checkpoint
    # stage b started from stage a's backbone: its extracted file equals a's final backbone weights
    a_state = torch.load(done_a['checkpoint'], map_location='cpu', weights_only=False)['state_dict']
    handed = torch.load(work / 'a' / 'backbone.pth', map_location='cpu', weights_only=False)
    handed = handed.get('state_dict', handed)
    a_backbone = {k[len('backbone.'):]: v for k, v in a_state.items() if k.startswith('backbone.')}
    handed = {k[len('backbone.'):] if k.startswith('backbone.') else k: v for k, v in handed.items()}
    assert a_backbone.keys() == handed.keys()
    assert all(torch.equal(a_backbone[k], handed[k]) for k in a_backbone)
    assert (work / 'test_metrics.json').exists() or (work / 'b' / 'test_metrics.json').exists()


def test_cfg_options_reach_their_stage_and_resume_keeps_them(tiny_data, tmp_path, monkeypatch):
    """STAGE.KEY=VALUE changes only that stage (as its dumped config and checkpoints show), a plain recipe key the
    recipe; --resume skips finished stages (saying so when the overrides for them changed) and continues the
    interrupted one from its last checkpoint with the overrides given now. Both
    stages use the shipped runtime's visualizer: each stage's losses are logged in its own work dir."""
    visualizer = Config.fromfile(osp.join(REPO, 'configs', '_base_', 'default_runtime.py')).visualizer.to_dict()
    recipe = _recipe(tmp_path, tiny_data, evaluate=True, extra=({'visualizer': visualizer}, {'visualizer': visualizer}))
    work = tmp_path / 'work'
    metrics = train_tool.main([recipe, '--work-dir', str(work), '--cfg-options', 'b.train_cfg.max_iters=3',
                               'a.model.decode_head.dropout_ratio=0.25', 'evaluate=False'])
    assert metrics == {} and not (work / 'b' / 'test_metrics.json').exists()  # evaluate=False reached the recipe
    dumped_a = Config.fromfile(str(work / 'a' / 'stage_a.py'))  # the Runner dumps its config into its work dir
    dumped_b = Config.fromfile(str(work / 'b' / 'stage_b.py'))
    assert dumped_a.model.decode_head.dropout_ratio == 0.25 and dumped_a.train_cfg.max_iters == 2
    assert dumped_b.model.decode_head.dropout_ratio == 0.0 and dumped_b.train_cfg.max_iters == 3
    assert dumped_b.model.backbone.init_cfg.checkpoint == str(work / 'a' / 'backbone.pth')
    done_b = json.loads((work / 'b' / 'stage_done.json').read_text())
    assert done_b['checkpoint'].endswith('iter_3.pth') and not done_b['evaluated']
    assert done_b['cfg_options'] == {'train_cfg.max_iters': 3}
    assert _trained_iters(work / 'a') == [1, 2] and _trained_iters(work / 'b') == [1, 2, 3]

    # the job died in stage b: resume it with a longer schedule, and a change for the finished stage a
    (work / 'b' / 'stage_done.json').unlink()
    mtime_a = osp.getmtime(work / 'a' / 'iter_2.pth')
    messages = []
    monkeypatch.setattr(train_tool, 'print_log', lambda msg, **kwargs: messages.append(msg))
    train_tool.main([recipe, '--work-dir', str(work), '--resume', '--cfg-options', 'b.train_cfg.max_iters=4',
                     'a.train_cfg.max_iters=5', 'evaluate=False'])
    assert osp.getmtime(work / 'a' / 'iter_2.pth') == mtime_a
    assert torch.load(work / 'b' / 'iter_4.pth', map_location='cpu', weights_only=False)['meta']['iter'] == 4
    assert Config.fromfile(str(work / 'b' / 'stage_b.py')).train_cfg.max_iters == 4
    assert _trained_iters(work / 'b').count(4) == 1 and _trained_iters(work / 'b').count(3) == 1
    assert json.loads((work / 'b' / 'stage_done.json').read_text())['checkpoint'].endswith('iter_4.pth')
    kept = [m for m in messages if "stage 'a' finished with --cfg-options" in m]
    assert len(kept) == 1 and "{'model.decode_head.dropout_ratio': 0.25}" in kept[0]
    assert "{'train_cfg.max_iters': 5}" in kept[0]
    # a finished recipe resumed again runs nothing
    mtime_b = osp.getmtime(work / 'b' / 'iter_4.pth')
    train_tool.main([recipe, '--work-dir', str(work), '--resume', '--cfg-options', 'b.train_cfg.max_iters=4',
                     'evaluate=False'])
    assert osp.getmtime(work / 'b' / 'iter_4.pth') == mtime_b


def test_cfg_options_naming_no_stage_or_recipe_key_fail_listing_the_stages(tiny_data, tmp_path):
    recipe = _recipe(tmp_path, tiny_data)
    work = tmp_path / 'work'
    with pytest.raises(ValueError, match=r"'train_cfg' is neither a key of the recipe .*recipe.py nor one of its "
                                         r"stages \(a, b\).*b\.train_cfg\.max_iters=\.\.\."):
        train_tool.main([recipe, '--work-dir', str(work), '--cfg-options', 'train_cfg.max_iters=5'])
    with pytest.raises(ValueError, match="name a key inside stage 'a'"):
        train_tool.main([recipe, '--work-dir', str(work), '--cfg-options', 'a=1'])
    assert not work.exists()  # nothing ran
    cfg = Config.fromfile(recipe)
    own, per_stage = split_recipe_options(cfg, {'evaluate': False, 'work_dir': 'w', 'stages.1.config': 'x.py',
                                                'a.model.backbone.depth': 50, 'b.train_cfg.max_iters': 7})
    assert own == {'evaluate': False, 'work_dir': 'w', 'stages.1.config': 'x.py'}
    assert per_stage == {'a': {'model.backbone.depth': 50}, 'b': {'train_cfg.max_iters': 7}}
    with pytest.raises(ValueError, match=r"unknown stage\(s\) \['c'\]"):
        load_stage_configs(cfg, {'c': {'train_cfg.max_iters': 1}})
    clash = tmp_path / 'clash.py'
    clash.write_text("stages = [dict(name='evaluate', config='stage_a.py')]\n")
    with pytest.raises(ValueError, match="stage name 'evaluate' is also a key of the recipe"):
        load_stage_configs(Config.fromfile(str(clash)))


def test_missing_checkpoint_advice_names_the_stage_and_works_as_given(tiny_data, tmp_path):
    """Every stage to run is checked before the first trains; the advised --cfg-options, copied as printed, run.
    An override of the backbone's init_cfg wins over the recipe's hand-off. Both stages name their visualizer as
    mmseg's default runtime does, and still log into their own dirs."""
    named_vis = dict(type='SegLocalVisualizer', vis_backends=[dict(type='LocalVisBackend')], name='visualizer')
    recipe = _recipe(tmp_path, tiny_data, evaluate=False, extra=(
        {'model.backbone.init_cfg': dict(type='Pretrained', checkpoint=str(tmp_path / 'imagenet_r18.pth')),
         'visualizer': named_vis},
        {'load_from': str(tmp_path / 'old_run.pth'), 'visualizer': named_vis}))
    work = tmp_path / 'work'
    options = []
    for stage, key, path in (('a', 'model.backbone.init_cfg.checkpoint', 'imagenet_r18.pth'),
                             ('b', 'load_from', 'old_run.pth')):
        with pytest.raises(FileNotFoundError) as err:
            train_tool.main([recipe, '--work-dir', str(work)] + (['--cfg-options', *options] if options else []))
        msg = str(err.value)
        assert f'{stage}.{key} = ' in msg and path in msg and f'stage_{stage}.py' in msg
        assert f'(--cfg-options {stage}.{key}=PATH)' in msg
        options += re.search(r'train from scratch with\n--cfg-options (.*)$', msg).group(1).split()
        assert not (work / 'a' / 'iter_2.pth').exists()  # b's missing file is found before a trains
    assert options == ['a.model.backbone.init_cfg=None', 'b.load_from=None']
    # an explicit init_cfg for b's backbone replaces the hand-off from stage a
    train_tool.main([recipe, '--work-dir', str(work), '--cfg-options', *options, 'b.model.backbone.init_cfg=None'])
    assert json.loads((work / 'b' / 'stage_done.json').read_text())['checkpoint'].endswith('iter_2.pth')
    assert Config.fromfile(str(work / 'b' / 'stage_b.py')).model.backbone.get('init_cfg') is None
    assert not (work / 'a' / 'backbone.pth').exists()
    assert _trained_iters(work / 'a') == [1, 2] and _trained_iters(work / 'b') == [1, 2]


def test_recipe_rejects_bad_stage_references(tmp_path):
    (tmp_path / 's.py').write_text('x = 1\n')
    bad = tmp_path / 'bad.py'
    bad.write_text("stages = [dict(name='b', config='s.py', init_backbone_from='a')]\n")
    with pytest.raises(ValueError, match="not an earlier stage"):
        load_stage_configs(Config.fromfile(str(bad)))
    missing = tmp_path / 'missing.py'
    missing.write_text("stages = [dict(name='a', config='nope.py')]\n")
    with pytest.raises(FileNotFoundError, match='nope.py'):
        load_stage_configs(Config.fromfile(str(missing)))
    clash = tmp_path / 'clash.py'
    clash.write_text("stages = [dict(name='a', config='s.py', work_dir='x'), dict(name='x', config='s.py')]\n")
    with pytest.raises(ValueError, match="stages 'a' and 'x' would both run in the folder 'x'"):
        load_stage_configs(Config.fromfile(str(clash)))
    cached_here = tmp_path / 'cached_here.py'
    cached_here.write_text("stages = [dict(name='a', config='s.py', work_dir='.', cache=True), "
                           "dict(name='b', config='s.py')]\n")
    with pytest.raises(ValueError, match="cache=True and runs in the recipe's own folder"):
        load_stage_configs(Config.fromfile(str(cached_here)))


def _fake_stage_recipe(tmp_path, stages):
    """Stage configs with a backbone key only (the fake ``run_stage`` below trains nothing)."""
    (tmp_path / 's.py').write_text("model = dict(backbone=dict(type='ResNet', depth=18))\n")
    path = tmp_path / 'recipe.py'
    path.write_text(f'stages = {stages!r}\nevaluate = False\n')
    return Config.fromfile(str(path))


def _fake_run_stage(calls, weight):
    """A stand-in for tools/train.py's run_stage: records the config, writes a checkpoint of one backbone tensor."""
    def run_stage(cfg, stage_dir, resume, evaluate, name):
        calls.append((name, stage_dir, cfg))
        os.makedirs(stage_dir, exist_ok=True)
        ckpt = osp.join(stage_dir, 'iter_1.pth')
        torch.save({'state_dict': {'backbone.conv1.weight': torch.full((1, ), weight)}}, ckpt)
        with open(osp.join(stage_dir, 'last_checkpoint'), 'w') as f:
            f.write(ckpt)
        return {}
    return run_stage


def test_stage_folders_are_shared_between_recipes(tmp_path):
    """A stage's ``work_dir`` places it outside the recipe's folder (``'.'``: the recipe's folder itself); a second
    recipe naming the same folder finds it finished (--resume) and starts from the backbone extracted there once."""
    from densessl.engine.recipe import run_recipe
    recipe = _fake_stage_recipe(tmp_path, [dict(name='pre', config='s.py', work_dir='../shared'),
                                           dict(name='ft', config='s.py', work_dir='.', init_backbone_from='pre')])
    calls = []
    run_recipe(recipe, str(tmp_path / 'runs' / 'r1'), True, _fake_run_stage(calls, 1.0), logger=lambda m: None)
    shared = tmp_path / 'runs' / 'shared'
    assert [(n, d) for n, d, _ in calls] == [('pre', str(shared)), ('ft', str(tmp_path / 'runs' / 'r1'))]
    assert calls[1][2].model.backbone.init_cfg.to_dict() == dict(type='Pretrained',
                                                                 checkpoint=str(shared / 'backbone.pth'))
    assert json.loads((shared / 'stage_done.json').read_text())['backbone'] == str(shared / 'backbone.pth')
    assert (tmp_path / 'runs' / 'r1' / 'stage_done.json').exists()
    calls.clear()
    run_recipe(recipe, str(tmp_path / 'runs' / 'r2'), True, _fake_run_stage(calls, 2.0), logger=lambda m: None)
    assert [n for n, _, _ in calls] == ['ft']  # the shared stage is not trained again
    # a stage trained again (its stage_done.json rewritten without `backbone`) is extracted again: no stale file
    (shared / 'stage_done.json').unlink()
    calls.clear()
    run_recipe(recipe, str(tmp_path / 'runs' / 'r3'), True, _fake_run_stage(calls, 3.0), logger=lambda m: None)
    handed = torch.load(shared / 'backbone.pth', map_location='cpu', weights_only=False)['state_dict']
    assert [n for n, _, _ in calls] == ['pre', 'ft'] and handed['conv1.weight'].item() == 3.0
    # a recorded backbone that has gone missing is an error naming the stage_done.json to delete
    (shared / 'backbone.pth').unlink()
    with pytest.raises(FileNotFoundError, match=r'shared/stage_done.json names the backbone .*backbone.pth'):
        run_recipe(recipe, str(tmp_path / 'runs' / 'r4'), True, _fake_run_stage([], 4.0), logger=lambda m: None)


@pytest.mark.parametrize('recipe_name', ['pixpro_voc_1pct.py', 'pixpro_demo_5pct.py'])
def test_shipped_recipes_resolve_pixpro_then_cutmix(recipe_name):
    """The one-command recipes: PixPro stage, then a CutMix stage whose backbone key exists and has the same
    (plain-stem) backbone type as the PixPro stage, so the hand-off loads without missing stem keys. The demo
    recipe first trains its starting weights on the source scenes (the ImageNet file of the VOC recipe) and hands
    them to PixPro."""
    from densessl.engine.recipe import _get_key
    recipe = Config.fromfile(osp.join(REPO, 'configs', recipe_name))
    stages = load_stage_configs(recipe)
    names = [s['name'] for s in stages]
    assert names[-2:] == ['pixpro', 'cutmix'] and recipe.evaluate
    pre, fin = stages[-2]['cfg'], stages[-1]['cfg']
    assert pre.model.type == 'PixPro' and fin.model.type == 'CutMixSegmentor'
    assert stages[-1]['spec']['init_backbone_from'] == 'pixpro'
    seg_backbone = _get_key(fin, stages[-1]['spec']['backbone_key'])
    assert seg_backbone.type == pre.model.backbone.type == 'ResNet'
    assert seg_backbone.depth == pre.model.backbone.depth
    if recipe_name == 'pixpro_demo_5pct.py':
        assert names == ['source', 'pixpro', 'cutmix']
        src = stages[0]['cfg']
        assert src.train_dataloader.dataset.type == 'DemoSourceScenesDataset'
        assert stages[1]['spec']['init_backbone_from'] == 'source'
        assert _get_key(pre, stages[1]['spec']['backbone_key']).depth == src.model.backbone.depth
        assert src.model.backbone.strides == pre.model.backbone.strides == seg_backbone.strides
    else:
        assert names == ['pixpro', 'cutmix']
    split = fin.train_dataloader.dataset.datasets[0].ann_file
    assert split.endswith(('voc/1pct/labeled.txt', 'demo/5pct/labeled.txt'))
