"""Every target-pretraining config parses, builds its model, and its model trains one step on its view sizes."""
import glob

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmpretrain.structures import DataSample

from densessl.utils import register_all_modules

CONFIGS = sorted(glob.glob('configs/pixpro/*.py') + glob.glob('configs/byol/*.py') + glob.glob('configs/mocov2/*.py'))


@pytest.fixture(autouse=True)
def scope():
    register_all_modules()
    MessageHub.get_current_instance().update_info('max_iters', 10)


def test_configs_found():
    assert len(CONFIGS) >= 7


def light_model(model_cfg):
    """The config's model with a ResNet-18-sized network and no checkpoint to load."""
    model_cfg = dict(model_cfg)
    model_cfg['backbone'] = dict(model_cfg['backbone'])
    model_cfg['backbone'].pop('init_cfg', None)  # no ImageNet file here
    if model_cfg['type'] == 'MoCoV2':
        model_cfg['queue_len'] = 4
    if model_cfg['backbone'].get('depth') == 50:  # keep the test light
        model_cfg['backbone']['depth'] = 18
        model_cfg['neck'] = dict(model_cfg['neck'], in_channels=512, hid_channels=64)
    return model_cfg


@pytest.mark.parametrize('path', CONFIGS)
def test_config_builds_a_runner(path, tmp_path):
    """Hooks (momentum schedule), visualizer and the optimiser (mmpretrain LARS + paramwise options) build."""
    import mmseg.visualization  # noqa: F401  (register_all_modules does not import it yet)
    from mmengine.runner import Runner
    cfg = Config.fromfile(path)
    cfg.model = light_model(cfg.model.to_dict())
    cfg.work_dir = str(tmp_path)
    runner = Runner.from_cfg(cfg)
    hooks = [type(h).__name__ for h in runner.hooks]
    assert ('MomentumScheduleHook' in hooks) == (cfg.model['type'] != 'MoCoV2')
    optim_wrapper = runner.build_optim_wrapper(cfg.optim_wrapper)
    assert len(optim_wrapper.optimizer.param_groups) > 1 or cfg.model['type'] == 'MoCoV2'


@pytest.mark.parametrize('path', CONFIGS)
def test_config_builds_and_steps(path):
    from densessl.registry import MODELS
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'densessl'
    # the medical UNet (one channel) has no pretrained weights to start from, so no regulariser toward them
    starts_from_weights = cfg.model['backbone'].get('type') != 'UNet'
    model_cfg = light_model(cfg.model.to_dict())
    model = MODELS.build(model_cfg)
    model.train()
    # the switches are on by default in every config, with the method's values; the regulariser pulls toward the
    # starting weights, so a backbone trained from scratch has none
    assert model.affine is not None and model.affine.p == 0.5
    assert model.weight_reg == pytest.approx(1e-2 if starts_from_weights else 0.0)
    channels = model_cfg['backbone'].get('in_channels', 3)
    size = 64 if model_cfg['type'] == 'PixPro' else 32
    views = [torch.rand(2, channels, size, size) * 255 for _ in range(2)]
    samples = []
    for _ in range(2):
        s = DataSample()
        s.set_metainfo(dict(view_bboxes=np.array([[0, 0, 99, 99], [20, 20, 99, 99]], np.float32),
                            view_flips=np.array([False, True]), view_src_shapes=np.array([[100, 100]] * 2)))
        samples.append(s)
    data = model.data_preprocessor(dict(inputs=[v.to(torch.uint8) for v in views], data_samples=samples), True)
    losses = model.loss(data['inputs'], data['data_samples'])
    assert ('loss_wreg' in losses) == starts_from_weights and all(torch.isfinite(v) for v in losses.values())
    if cfg.get('custom_hooks'):
        assert cfg.custom_hooks[0]['type'] == 'MomentumScheduleHook' and cfg.custom_hooks[0]['start'] == 0.99
