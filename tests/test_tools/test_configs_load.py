"""Every shipped config parses (bases resolve, no key defined by two bases) and names a registered model type."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from tests.helpers.fixtures import REPO_ROOT

CONFIGS = sorted(p for p in glob.glob(osp.join(REPO_ROOT, 'configs', '**', '*.py'), recursive=True)
                 if '_base_' not in p)


def test_there_are_configs():
    assert len(CONFIGS) > 50


@pytest.mark.parametrize('path', CONFIGS, ids=[osp.relpath(p, REPO_ROOT) for p in CONFIGS])
def test_config_parses(path):
    from densessl.registry import MODELS
    from densessl.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(path)
    if 'stages' in cfg:  # a recipe: its stages resolve
        from densessl.engine.recipe import load_stage_configs
        assert load_stage_configs(cfg)
        return
    assert cfg.default_scope in ('densessl', 'mmpretrain', 'mmseg')
    assert MODELS.get(cfg.model.type) is not None, cfg.model.type
