"""Classification recipes (BYOL -> FixMatch, RotNet -> alternating optimisation, MOAM): they load, their stages
resolve, every hand-off's backbone key exists and the handed-over weights fit the next stage's backbone; the new
stage configs build; MOAM's first step trains in a short Runner run."""
import math
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from densessl.engine.recipe import _get_key, is_recipe, load_stage_configs
from densessl.registry import MODELS
from densessl.utils import register_all_modules
from tests.helpers.semi_cfg import merged_semi_cfgs

from .cls_fixtures import REPO, tiny_config

CONFIGS = osp.join(REPO, 'configs')
RECIPES = {
    'byol_fixmatch_fmnist_40labels.py': ['byol', 'fixmatch'],
    'alternating/alternating-rotnet_resnet18-cifar_fmnist-40labels.py': ['pretext', 'alternating'],
    'moam/moam_resnet18-cifar_fmnist-40labels.py': ['rotvat', 'retrain', 'finetune'],
}
MOAM_STEP1 = osp.join(CONFIGS, 'moam',
                      'moam-step1_s4l-rotation-vat-entmin_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py')


@pytest.fixture(autouse=True, scope='module')
def _registry():
    register_all_modules()


def _backbone_cfg(cfg: Config):
    model = cfg.model
    return model.backbone if 'backbone' in model else model.classifier.backbone


@pytest.mark.parametrize('recipe', sorted(RECIPES))
def test_recipe_stages_resolve_and_backbones_fit(recipe):
    cfg = Config.fromfile(osp.join(CONFIGS, recipe))
    assert is_recipe(cfg)
    stages = load_stage_configs(cfg)
    assert [s['name'] for s in stages] == RECIPES[recipe]
    by_name = {s['name']: s for s in stages}
    for stage in stages:
        spec = stage['spec']
        if spec.get('init_backbone_from') is None:
            continue
        key = spec['backbone_key']
        dst_cfg = _get_key(stage['cfg'], key)  # raises KeyError when the key is wrong
        src_cfg = _backbone_cfg(by_name[spec['init_backbone_from']]['cfg'])
        src, dst = MODELS.build(dict(src_cfg)), MODELS.build(dict(dst_cfg))
        # the weights the hand-off extracts (the source backbone's state dict) load into the target, all keys
        dst.load_state_dict(src.state_dict(), strict=True)


def test_byol_fixmatch_recipe_makes_the_stem_three_channels():
    stages = load_stage_configs(Config.fromfile(osp.join(CONFIGS, 'byol_fixmatch_fmnist_40labels.py')))
    byol, fixmatch = stages[0]['cfg'], stages[1]['cfg']
    assert byol.model.type == 'BYOL' and fixmatch.model.type == 'FixMatch'
    assert byol.model.backbone.in_channels == 3 and len(byol.model.data_preprocessor.mean) == 3
    assert byol.train_dataloader.dataset.pipeline[0].type == 'GrayToRGB'
    # the stock BYOL Fashion-MNIST config (1-channel stem) would not fit the FixMatch classifier
    stock = Config.fromfile(osp.join(CONFIGS, 'byol', 'byol_resnet18-cifar_1xb256-lars-200e_fashionmnist.py'))
    src = MODELS.build(dict(stock.model.backbone))
    dst = MODELS.build(dict(fixmatch.model.classifier.backbone))
    with pytest.raises(RuntimeError, match='conv1.weight'):
        dst.load_state_dict(src.state_dict())


def test_moam_stages_are_configured_as_described():
    stages = load_stage_configs(Config.fromfile(osp.join(CONFIGS, 'moam', 'moam_resnet18-cifar_fmnist-40labels.py')))
    rotvat, retrain, finetune = (s['cfg'] for s in stages)
    assert rotvat.model.type == 'S4LRotationVAT'
    semi = retrain.model.semi_train_cfg
    assert retrain.model.type == 'AlternatingClassifier'
    assert (semi.te_weight, semi.pl_weight, semi.subset_ratio, semi.num_rounds) == (0.0, 1.0, 1.0, 1)
    assert retrain.train_cfg.max_iters == semi.phase1_iters + semi.phase2_iters
    assert sum(retrain.param_scheduler[0].periods) == retrain.train_cfg.max_iters
    assert finetune.model.type == 'SemiBaseClassifier' and finetune.optim_wrapper.optimizer.lr == 0.003
    assert finetune.param_scheduler[0].T_max == finetune.train_cfg.max_iters == 20000


@pytest.mark.parametrize('path,type_', [
    ('alternating/alternating_resnet18-cifar_1xb64-mu7-sgd-cosrestart-58k_fmnist-40labels.py',
     'AlternatingClassifier'),
    ('attention_fixmatch/attention-fixmatch_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py',
     'AttentionFixMatch'),
    ('moam/moam-step1_s4l-rotation-vat-entmin_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py',
     'S4LRotationVAT'),
])
def test_stage_configs_build(path, type_):
    cfg = Config.fromfile(osp.join(CONFIGS, path))
    model = MODELS.build(cfg.model)
    assert type(model).__name__ == type_


def test_as3l_config_points_at_the_selection_outputs():
    cfg = Config.fromfile(osp.join(CONFIGS, 'as3l', 'as3l_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py'))
    semi = merged_semi_cfgs(cfg.model)[0]
    assert cfg.model.type == 'AS3L' and semi.confidence.type == 'FlexMatchMask'
    assert semi.prior_file.endswith('as3l-40labels/prior.npy') and semi.prior_iters == 2**14
    labeled, unlabeled = cfg.train_dataloader.dataset.datasets
    assert osp.dirname(labeled.split_file) == osp.dirname(unlabeled.split_file) == osp.dirname(semi.prior_file)


def test_moam_step1_runner(tmp_path):
    cfg = tiny_config(MOAM_STEP1, str(tmp_path), max_iters=2, batch_size=4)
    runner = Runner.from_cfg(cfg)
    assert type(runner.model).__name__ == 'S4LRotationVAT'
    runner.train()
    hist = runner.message_hub.log_scalars
    for key in ('train/sup_loss', 'train/unsup_loss_rot', 'train/unsup_loss_vat', 'train/unsup_loss_entmin'):
        assert all(math.isfinite(v) for v in hist[key].data[0]), key
