"""Recipe stages with ``cache=True``: trained once, reused by later runs, keyed by config and data, written
atomically; the wall-time table at the end of a recipe."""
import json
import os
import os.path as osp
import re
import shutil
import sys

import pytest
import torch
from mmengine.config import Config

from densessl.engine import stage_cache
from densessl.engine.recipe import load_stage_configs
from tests.helpers.tiny_seg import tiny_seg_config, write_config, write_tiny_seg_data

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tools'))
import train as train_tool  # noqa: E402


@pytest.fixture(scope='module')
def tiny_data(tmp_path_factory):
    return write_tiny_seg_data(str(tmp_path_factory.mktemp('tiny')))


@pytest.fixture
def runs(tmp_path, monkeypatch):
    """Run ``tools/train.py`` with the stage cache in ``tmp_path/cache``; record which stages trained and what was
    logged."""
    monkeypatch.setenv('DENSESSL_CACHE', str(tmp_path / 'cache'))
    monkeypatch.delenv(stage_cache.CACHE_ENV, raising=False)
    trained, messages = [], []
    real_run_stage = train_tool.run_stage

    def counting_run_stage(cfg, work_dir, *args, **kwargs):
        trained.append(osp.basename(work_dir))
        return real_run_stage(cfg, work_dir, *args, **kwargs)

    monkeypatch.setattr(train_tool, 'run_stage', counting_run_stage)
    monkeypatch.setattr(train_tool, 'print_log', lambda msg, **kwargs: messages.append(msg))

    def run(*argv):
        trained.clear()
        messages.clear()
        train_tool.main(list(argv))
        return list(trained), '\n'.join(messages)

    return run


def _recipe(tmp_path, data, evaluate=True):
    """Stage 'a' (cached) -> stage 'b' (from a's backbone), two iterations each."""
    for name in 'ab':
        write_config(tiny_seg_config(data, max_iters=2, val_interval=100), str(tmp_path / f'stage_{name}.py'))
    path = tmp_path / 'recipe.py'
    path.write_text("stages = [\n"
                    "    dict(name='a', config='stage_a.py', cache=True),\n"
                    "    dict(name='b', config='stage_b.py', init_backbone_from='a', backbone_key='model.backbone'),\n"
                    f"]\nevaluate = {evaluate}\n")
    return str(path)


def _entries(tmp_path):
    root = tmp_path / 'cache' / 'stages'
    return sorted(os.listdir(root)) if root.is_dir() else []


def test_cached_stage_is_trained_once_then_reused_with_hand_off_and_resume(tiny_data, tmp_path, runs, monkeypatch):
    recipe = _recipe(tmp_path, tiny_data)
    trained, log = runs(recipe, '--work-dir', str(tmp_path / 'w1'))
    assert trained == ['a', 'b']
    key = re.search(r"'a': no cached result \(key ([0-9a-f]{16})\)", log).group(1)
    assert _entries(tmp_path) == [f'a-{key}']
    entry_dir = tmp_path / 'cache' / 'stages' / f'a-{key}'
    entry = json.loads((entry_dir / 'entry.json').read_text())
    assert entry['key'] == key and entry['checkpoint'] == 'iter_2.pth' and entry['seconds'] > 0
    assert entry['inputs']['config']['train_cfg']['max_iters'] == 2 and entry['inputs']['context'] == {'amp': False}
    assert sorted(p.name for p in entry_dir.glob('*.pth')) == ['iter_2.pth']  # only the final checkpoint
    cached_mtime = osp.getmtime(entry_dir / 'iter_2.pth')

    # a new work dir: stage a comes from the cache (no training), b trains from its backbone
    work = tmp_path / 'w2'
    trained, log = runs(recipe, '--work-dir', str(work))
    assert trained == ['b']
    assert f'reusing cached stage {entry_dir} (key {key}' in log and 'DENSESSL_STAGE_CACHE=refresh' in log
    assert osp.getmtime(entry_dir / 'iter_2.pth') == cached_mtime
    done_a = json.loads((work / 'a' / 'stage_done.json').read_text())
    assert done_a['checkpoint'] == str(work / 'a' / 'iter_2.pth') and done_a['cached_from'] == str(entry_dir)
    assert (work / 'a' / 'last_checkpoint').read_text() == str(work / 'a' / 'iter_2.pth')
    first = torch.load(tmp_path / 'w1' / 'a' / 'iter_2.pth', map_location='cpu', weights_only=False)['state_dict']
    handed = torch.load(work / 'a' / 'backbone.pth', map_location='cpu', weights_only=False)
    a_backbone = {k[len('backbone.'):]: v for k, v in first.items() if k.startswith('backbone.')}
    handed = {k[len('backbone.'):] if k.startswith('backbone.') else k: v
              for k, v in handed.get('state_dict', handed).items()}
    assert a_backbone.keys() == handed.keys() and all(torch.equal(a_backbone[k], handed[k]) for k in a_backbone)
    # the wall-time table: one row per stage, how it was obtained, and the total
    table = log[log.index('[recipe] wall time per stage:'):]
    assert re.search(r'\na\s+\d+\.\d\d\s+cached \(trained in \d+\.\d min\)', table)
    assert re.search(r'\nb\s+\d+\.\d\d\s+trained \+ evaluation', table) and re.search(r'\ntotal\s+\d+\.\d\d', table)
    times = json.loads((work / 'stage_times.json').read_text())
    assert [s['name'] for s in times['stages']] == ['a', 'b'] and times['total_seconds'] > 0

    # --resume in that work dir: both stages finished, nothing trains
    trained, log = runs(recipe, '--work-dir', str(work), '--resume')
    assert trained == [] and re.search(r'\na\s+\d+\.\d\d\s+reused', log)

    # an override of the cached stage's config is another key: it trains and gets its own entry
    trained, log = runs(recipe, '--work-dir', str(tmp_path / 'w3'), '--cfg-options', 'a.train_cfg.max_iters=3')
    assert trained == ['a', 'b'] and len(_entries(tmp_path)) == 2
    # refresh trains again and replaces the entry; off neither reads nor writes
    monkeypatch.setenv(stage_cache.CACHE_ENV, 'refresh')
    trained, _ = runs(recipe, '--work-dir', str(tmp_path / 'w4'), '--cfg-options', 'evaluate=False')
    assert trained == ['a', 'b'] and osp.getmtime(entry_dir / 'iter_2.pth') > cached_mtime
    monkeypatch.setenv(stage_cache.CACHE_ENV, 'off')
    trained, log = runs(recipe, '--work-dir', str(tmp_path / 'w5'), '--cfg-options', 'evaluate=False')
    assert trained == ['a', 'b'] and 'no cached result' not in log and 'reusing cached' not in log
    assert len(_entries(tmp_path)) == 2


class _Killed(BaseException):
    """Stands for the job being killed while it copies the stage into the cache."""


def test_interrupted_cache_write_is_never_reused(tiny_data, tmp_path, runs, monkeypatch):
    recipe = _recipe(tmp_path, tiny_data, evaluate=False)
    real_copy = stage_cache._copy
    calls = []

    def dying_copy(src, dst):
        calls.append(src)
        if src.endswith('.pth'):
            raise _Killed()
        real_copy(src, dst)

    monkeypatch.setattr(stage_cache, '_copy', dying_copy)
    with pytest.raises(_Killed):
        runs(recipe, '--work-dir', str(tmp_path / 'w1'))
    assert any(c.endswith('iter_2.pth') for c in calls)
    assert _entries(tmp_path) == []  # neither an entry nor the temp folder is left
    monkeypatch.setattr(stage_cache, '_copy', real_copy)

    # what a SIGKILL mid-write or a manual copy would leave: a dead writer's temp folder, and a folder under the
    # entry's name without entry.json. Neither is used; the stage trains and the entry is written completely.
    key = stage_cache.stage_cache_key(load_stage_configs(Config.fromfile(recipe))[0]['cfg'], dict(amp=False))[0]
    root = tmp_path / 'cache' / 'stages'
    stale = root / f'.tmp-a-{key}-999999999-abc'
    stale.mkdir(parents=True)
    (stale / 'iter_2.pth').write_bytes(b'half a checkpoint')
    partial = root / f'a-{key}'
    partial.mkdir()
    (partial / 'iter_2.pth').write_bytes(b'half a checkpoint')
    trained, log = runs(recipe, '--work-dir', str(tmp_path / 'w2'))
    assert trained == ['a', 'b']
    assert f'ignoring the incomplete cache entry {partial}' in log and 'entry.json unreadable' in log
    assert _entries(tmp_path) == [f'a-{key}']  # the dead writer's temp folder is gone
    entry, problem = stage_cache.find_entry('a', key, str(root))
    assert problem == '' and entry['checkpoint_bytes'] == osp.getsize(partial / 'iter_2.pth') > 1000

    # a truncated checkpoint in an otherwise complete entry is not used either
    with open(partial / 'iter_2.pth', 'r+b') as f:
        f.truncate(1000)
    trained, log = runs(recipe, '--work-dir', str(tmp_path / 'w3'))
    assert trained == ['a', 'b'] and 'missing or not' in log
    trained, log = runs(recipe, '--work-dir', str(tmp_path / 'w4'))
    assert trained == ['b'] and 'reusing cached stage' in log


def test_cache_key_follows_config_data_and_starting_weights(tiny_data, tmp_path):
    key = lambda cfg, **ctx: stage_cache.stage_cache_key(Config(cfg), ctx or None)[0]  # noqa: E731
    base = tiny_seg_config(tiny_data)
    k0 = key(base)
    assert key(dict(base, work_dir='elsewhere', resume=True)) == k0  # where and how to run: not the result
    assert key(dict(base, randomness=dict(seed=1))) != k0
    changed = tiny_seg_config(tiny_data)
    changed['model']['decode_head']['dropout_ratio'] = 0.1
    assert key(changed) != k0
    assert key(base, amp=True) != k0

    # the split files by content: another labeled list at the same path is another key
    data2 = write_tiny_seg_data(str(tmp_path / 'tiny2'))
    k2 = key(tiny_seg_config(data2))
    with open(osp.join(data2, 'train.txt')) as f:
        names = f.read().split()
    with open(osp.join(data2, 'train.txt'), 'w') as f:
        f.write('\n'.join(names[:-1]) + '\n')
    assert key(tiny_seg_config(data2)) != k2

    # starting weights by content, not path
    w1, w2, w3 = (str(tmp_path / f'w{i}.pth') for i in range(3))
    torch.save({'x': torch.ones(2)}, w1)
    shutil.copy(w1, w2)
    torch.save({'x': torch.zeros(2)}, w3)

    def with_init(path):
        cfg = tiny_seg_config(tiny_data)
        cfg['model']['backbone']['init_cfg'] = dict(type='Pretrained', checkpoint=path)
        return cfg

    assert key(with_init(w1)) == key(with_init(w2)) != key(with_init(w3))

    # demo scenes: the generator's parameters (not where Fashion-MNIST lies) and the generator's source
    demo = tmp_path / 'demo_source'
    params = dict(num_train=2000, num_val=200, size=128, seed=0, fmnist_root='/usr/share/datasets/fashion-mnist')
    (demo).mkdir()
    (demo / 'demo_params.json').write_text(json.dumps(params))
    cfg = dict(train_dataloader=dict(dataset=dict(type='DemoSourceScenesDataset', data_root=str(demo))))
    kd, inputs = stage_cache.stage_cache_key(Config(cfg))
    assert inputs['demo_data']['generator'].startswith('sha256:')
    assert inputs['demo_data']['params'][str(demo)]['num_train'] == 2000
    (demo / 'demo_params.json').write_text(json.dumps(dict(params, fmnist_root='/elsewhere')))
    assert key(cfg) == kd
    (demo / 'demo_params.json').write_text(json.dumps(dict(params, num_train=1000)))
    assert key(cfg) != kd
    (demo / 'demo_params.json').unlink()
    with pytest.raises(FileNotFoundError, match='demo_params.json is missing: make the demo data'):
        key(cfg)


def test_cache_option_is_checked(tiny_data, tmp_path, runs, monkeypatch):
    monkeypatch.setenv(stage_cache.CACHE_ENV, 'sometimes')
    with pytest.raises(ValueError, match="DENSESSL_STAGE_CACHE='sometimes': use on, refresh or off"):
        runs(_recipe(tmp_path, tiny_data), '--work-dir', str(tmp_path / 'w'))
    assert not (tmp_path / 'w').exists()  # before anything trained
    (tmp_path / 's.py').write_text('x = 1\n')
    last = tmp_path / 'last.py'
    last.write_text("stages = [dict(name='a', config='s.py', cache=True)]\n")
    with pytest.raises(ValueError, match="stage 'a' has cache=True but is the last stage, which the recipe "
                                         "evaluates"):
        load_stage_configs(Config.fromfile(str(last)))
    cfg = Config.fromfile(str(last))
    cfg.evaluate = False
    assert load_stage_configs(cfg)[0]['spec']['cache'] is True
    bad = tmp_path / 'bad.py'
    bad.write_text("stages = [dict(name='a', config='s.py', cache='yes'), dict(name='b', config='s.py')]\n")
    with pytest.raises(ValueError, match="`cache` must be True or False, got 'yes'"):
        load_stage_configs(Config.fromfile(str(bad)))


@pytest.mark.parametrize('recipe_name', ['pixpro_demo_5pct.py', 'pixpro_unimatch_demo_5pct.py'])
def test_demo_recipes_cache_their_source_stage_only(recipe_name):
    stages = load_stage_configs(Config.fromfile(osp.join(REPO, 'configs', recipe_name)))
    assert [(s['name'], bool(s['spec'].get('cache'))) for s in stages][:2] == [('source', True), ('pixpro', False)]
    assert not stages[-1]['spec'].get('cache')
