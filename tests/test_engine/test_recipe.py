"""Multi-stage recipes: stage order, backbone hand-off between stages, resume into the right stage."""
import json
import os.path as osp
import sys

import pytest
import torch
from mmengine.config import Config

from densessl.engine.recipe import load_stage_configs
from tests.helpers.tiny_seg import tiny_seg_config, write_config, write_tiny_seg_data

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tools'))
import train as train_tool  # noqa: E402


@pytest.fixture(scope='module')
def tiny_data(tmp_path_factory):
    return write_tiny_seg_data(str(tmp_path_factory.mktemp('tiny')))


def _recipe(tmp_path, data, iters=(2, 2)):
    write_config(tiny_seg_config(data, max_iters=iters[0], val_interval=100), str(tmp_path / 'stage_a.py'))
    write_config(tiny_seg_config(data, max_iters=iters[1], val_interval=100), str(tmp_path / 'stage_b.py'))
    path = tmp_path / 'recipe.py'
    path.write_text("stages = [\n"
                    "    dict(name='a', config='stage_a.py'),\n"
                    "    dict(name='b', config='stage_b.py', init_backbone_from='a', backbone_key='model.backbone'),\n"
                    "]\nevaluate = True\n")
    return str(path)


def test_recipe_runs_stages_in_order_and_hands_the_backbone_over(tiny_data, tmp_path):
    recipe = _recipe(tmp_path, tiny_data)
    work = tmp_path / 'work'
    metrics = train_tool.main([recipe, '--work-dir', str(work)])
    assert 'mIoU' in metrics
    done_a = json.loads((work / 'a' / 'stage_done.json').read_text())
    done_b = json.loads((work / 'b' / 'stage_done.json').read_text())
    assert done_a['checkpoint'].endswith('iter_2.pth') and done_b['evaluated'] and 'mIoU' in done_b['metrics']
    # stage b started from stage a's backbone: its extracted file equals a's final backbone weights
    a_state = torch.load(done_a['checkpoint'], map_location='cpu', weights_only=False)['state_dict']
    handed = torch.load(work / 'b' / 'backbone_from_a.pth', map_location='cpu', weights_only=False)
    handed = handed.get('state_dict', handed)
    a_backbone = {k[len('backbone.'):]: v for k, v in a_state.items() if k.startswith('backbone.')}
    handed = {k[len('backbone.'):] if k.startswith('backbone.') else k: v for k, v in handed.items()}
    assert a_backbone.keys() == handed.keys()
    assert all(torch.equal(a_backbone[k], handed[k]) for k in a_backbone)
    assert (work / 'test_metrics.json').exists() or (work / 'b' / 'test_metrics.json').exists()


def test_recipe_resume_skips_finished_stages(tiny_data, tmp_path):
    recipe = _recipe(tmp_path, tiny_data)
    work = tmp_path / 'work'
    train_tool.main([recipe, '--work-dir', str(work)])
    mtime_a = osp.getmtime(work / 'a' / 'iter_2.pth')
    # as if the job died in stage b after its iteration 2 of 4: --resume continues b there, leaving a untouched
    (work / 'b' / 'stage_done.json').unlink()
    write_config(tiny_seg_config(tiny_data, max_iters=4, val_interval=100), str(tmp_path / 'stage_b.py'))
    train_tool.main([recipe, '--work-dir', str(work), '--resume'])
    assert osp.getmtime(work / 'a' / 'iter_2.pth') == mtime_a
    assert torch.load(work / 'b' / 'iter_4.pth', map_location='cpu', weights_only=False)['meta']['iter'] == 4
    assert json.loads((work / 'b' / 'stage_done.json').read_text())['checkpoint'].endswith('iter_4.pth')
    # a finished recipe resumed again runs nothing
    mtime_b = osp.getmtime(work / 'b' / 'iter_4.pth')
    train_tool.main([recipe, '--work-dir', str(work), '--resume'])
    assert osp.getmtime(work / 'b' / 'iter_4.pth') == mtime_b


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
