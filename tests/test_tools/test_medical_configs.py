"""The ACDC configs (UNet from scratch, supervised and CutMix) run on a tiny copy of the h5 layout: training
steps with finite losses, then per-volume evaluation (Dice / HD95 / IoU per class)."""
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config

from tests.helpers.fixtures import REPO_ROOT
from tests.helpers.medical import write_acdc

SUPERVISED = 'configs/unet/unet-s5-d16_fcn_1xb12-30k_acdc-1case-256x256.py'
CUTMIX = 'configs/cutmix/cutmix_unet-s5-d16_1xb24-30k_acdc-1case-256x256.py'
FIXMATCH = 'configs/fixmatch_seg/fixmatch-seg_unet-s5-d16_1xb24-30k_acdc-1case-256x256.py'
UNIMATCH = 'configs/unimatch/unimatch_unet-s5-d16_1xb24-30k_acdc-1case-256x256.py'
PIXPRO = 'configs/pixpro/pixpro_unet-s5-d16_1xb32-lars-4k_acdc-256x256.py'


def _tiny(path, info, work_dir):
    """The config with the data at ``info``, 32x32 slices, 2 iterations, no worker processes."""
    def patch(node):
        if isinstance(node, dict):
            if node.get('type') == 'Resize':
                node['scale'] = (32, 32)
            if node.get('type') == 'ACDCDataset':
                node['data_root'] = info['data_root']
            for v in node.values():
                patch(v)
        elif isinstance(node, list):
            for v in node:
                patch(v)

    raw = Config.fromfile(osp.join(REPO_ROOT, path)).to_dict()
    patch(raw)
    cfg = Config(raw)
    train = cfg.train_dataloader
    if 'datasets' in train.dataset:
        train.dataset.datasets[0].ann_file = info['splits']['labeled']
        train.dataset.datasets[1].ann_file = info['splits']['unlabeled']
        train.batch_size = train.sampler.batch_size = 4
        cfg.model.data_preprocessor.data_preprocessor.size = (32, 32)
        cfg.model.segmentor.data_preprocessor.size = (32, 32)
    else:
        train.dataset.ann_file = info['splits']['labeled']
        train.batch_size = 2
        cfg.model.data_preprocessor.size = (32, 32)
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[key].num_workers = 0
        cfg[key].persistent_workers = False
    cfg.val_dataloader.dataset.ann_file = cfg.test_dataloader.dataset.ann_file = info['splits']['val']
    cfg.train_cfg.max_iters = cfg.train_cfg.val_interval = 2
    cfg.default_hooks.logger.interval = 1
    cfg.work_dir = work_dir
    return cfg


@pytest.mark.parametrize('path', [SUPERVISED, CUTMIX, UNIMATCH])
def test_acdc_config_trains_and_evaluates_per_volume(path, tmp_path, monkeypatch):
    from mmengine.runner import Runner

    from densessl.utils import register_all_modules, unique_experiment_name
    register_all_modules(init_default_scope=False)
    monkeypatch.chdir(tmp_path)  # short relative paths: MMEngine pretty-prints (yapf) the config 4 times per run
    info = write_acdc('ACDC', size=(40, 36))
    cfg = _tiny(path, info, 'work')
    unique_experiment_name(cfg)
    runner = Runner.from_cfg(cfg)
    runner.train()
    metrics = runner.test()
    assert metrics['num_volumes'] == 2  # the two frames of the validation case
    for key in ('mDice', 'mHD95', 'mIoU', 'Dice.RV', 'Dice.Myo', 'Dice.LV', 'HD95.LV'):
        assert np.isfinite(metrics[key]), key
    assert 0 <= metrics['mDice'] <= 100 and metrics['mHD95'] >= 0
    assert osp.isfile(osp.join(str(tmp_path / 'work'), 'iter_2.pth'))
    assert osp.exists(osp.join(str(tmp_path / 'work'), 'best_mDice_iter_2.pth'))


def test_pixpro_unet_pretraining_runs_and_hands_its_backbone_to_the_acdc_unet(tmp_path, monkeypatch):
    """PixPro on the one-channel UNet (pooled full-resolution map) for 2 iterations; the extracted backbone loads
    into the supervised ACDC config's UNet without missing keys."""
    import torch
    from mmengine.runner import Runner

    from densessl.apis import extract_backbone
    from densessl.utils import register_all_modules, unique_experiment_name
    register_all_modules(init_default_scope=False)
    monkeypatch.chdir(tmp_path)
    info = write_acdc('ACDC', size=(40, 36))
    raw = Config.fromfile(osp.join(REPO_ROOT, PIXPRO)).to_dict()
    for view in raw['train_dataloader']['dataset']['datasets'][0]['pipeline'][1]['transforms']:
        view[0]['scale'] = 32
    for ds, key in zip(raw['train_dataloader']['dataset']['datasets'], ('labeled', 'unlabeled')):
        ds.update(data_root=info['data_root'], ann_file=info['splits'][key])
        ds['pipeline'] = raw['train_dataloader']['dataset']['datasets'][0]['pipeline']
    raw['train_dataloader'].update(batch_size=4, num_workers=0, persistent_workers=False)
    cfg = Config(raw)
    cfg.model.neck.pool = 4  # 32 px views -> 8x8 cells
    cfg.train_cfg.max_iters = 2
    cfg.default_hooks.checkpoint.interval = 2
    cfg.work_dir = 'pixpro'
    unique_experiment_name(cfg)
    runner = Runner.from_cfg(cfg)
    before = {k: v.clone() for k, v in runner.model.backbone.state_dict().items()}
    runner.train()
    after = runner.model.backbone.state_dict()
    assert any(not torch.equal(before[k], after[k]) for k in before if after[k].is_floating_point())
    backbone = str(tmp_path / 'backbone.pth')
    extract_backbone(osp.join(cfg.work_dir, 'iter_2.pth'), backbone)
    unet = Config.fromfile(osp.join(REPO_ROOT, SUPERVISED)).model
    from densessl.registry import MODELS
    model = MODELS.build(unet)
    missing, unexpected = model.backbone.load_state_dict(torch.load(backbone, map_location='cpu')['state_dict'],
                                                         strict=False)
    assert not missing and not unexpected


@pytest.mark.parametrize('path', [SUPERVISED, CUTMIX, FIXMATCH, UNIMATCH])
def test_acdc_configs_use_the_fields_setup(path):
    cfg = Config.fromfile(osp.join(REPO_ROOT, path))
    seg = cfg.model.get('segmentor', cfg.model)
    assert seg.backbone.type == 'UNet' and seg.backbone.in_channels == 1 and seg.backbone.base_channels == 16
    assert seg.data_preprocessor.mean == [0.] and seg.data_preprocessor.bgr_to_rgb is False
    assert cfg.optim_wrapper.optimizer.type == 'SGD' and cfg.optim_wrapper.optimizer.lr == 0.01
    assert seg.data_preprocessor.size == (256, 256)
    assert cfg.val_evaluator.type == 'VolumeMetric' and cfg.val_dataloader.dataset.volumes is True
    assert cfg.test_dataloader.dataset.ann_file.endswith('acdc/1/test.txt')
    assert cfg.train_dataloader.batch_size == (12 if path == SUPERVISED else 24)


def _unet_first_conv_grad(head_init_cfg='config'):
    """The UNet of the ACDC configs, initialised as the Runner does; gradient norm reaching its first conv from one
    (cross-entropy + Dice) loss on a fixed random batch of 2 one-channel 32x32 slices with 4 classes."""
    import torch

    from mmengine.registry import DefaultScope
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample

    from densessl.registry import MODELS
    from densessl.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile(osp.join(REPO_ROOT, SUPERVISED)).model
    cfg.data_preprocessor.size = (32, 32)
    if head_init_cfg != 'config':
        cfg.decode_head.init_cfg = head_init_cfg
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('densessl'):
        model = MODELS.build(cfg)
    model.init_weights()
    g = torch.Generator().manual_seed(1)
    inputs = torch.rand(2, 1, 32, 32, generator=g)
    labels = torch.randint(0, 4, (2, 32, 32), generator=g)
    samples = []
    for lab in labels:
        s = SegDataSample(gt_sem_seg=PixelData(data=lab[None]))
        s.set_metainfo(dict(img_shape=(32, 32), pad_shape=(32, 32)))
        samples.append(s)
    losses = model.loss(inputs, samples)
    sum(v for k, v in losses.items() if k.endswith(('loss_ce', 'loss_dice'))).backward()
    conv_seg = model.decode_head.conv_seg.weight
    return model.backbone.encoder[0][0].convs[0].conv.weight.grad.norm().item(), conv_seg.detach().std().item()


def test_acdc_unet_classifier_keeps_pytorchs_initialisation():
    """The head's classifier is not mmseg's normal(std 0.01) (meant for pretrained backbones): with it, this UNet from
    scratch learned only background on the medical demo. PyTorch's default (kaiming-uniform, a=sqrt(5), fan-in 16):
    std 1/sqrt(3 * 16) = 0.144; and the loss reaches the first conv with a gradient several times larger."""
    grad, std = _unet_first_conv_grad()
    grad_mmseg, std_mmseg = _unet_first_conv_grad(dict(type='Normal', std=0.01, override=dict(name='conv_seg')))
    assert std == pytest.approx(1 / (3 * 16)**0.5, rel=0.25) and std_mmseg == pytest.approx(0.01, rel=0.25)
    assert grad > 5 * grad_mmseg


def test_isic2018_and_kvasir_dataset_configs_read_their_layouts(tmp_path):
    """The _base_ dataset configs on tiny copies of the converted layouts: the test pipeline keeps the mask at the
    image's size, the training pipelines give 256x256 crops, the semi configs split labeled / unlabeled."""
    from densessl.registry import DATASETS
    from densessl.utils import register_all_modules
    from tests.helpers.fixtures import load_tool
    from tests.helpers.medical import write_binary_folder, write_isic2018
    register_all_modules()
    isic = write_isic2018(str(tmp_path / 'ISIC2018'), converted=True)
    kvasir = write_binary_folder(str(tmp_path / 'Kvasir-SEG'), n=8, mask_suffix='.jpg', jpeg_masks=True)
    load_tool('tools/dataset_converters/kvasir.py').main([kvasir['root'], '--num-val', '2', '--num-test', '2'])
    for name, root in (('isic2018', isic['data_root']), ('kvasir', kvasir['root'])):
        cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs', '_base_', 'datasets', f'semi_{name}.py'))
        val = DATASETS.build(dict(cfg.val_dataloader.dataset, data_root=root))
        sample = val[0]
        assert tuple(sample['inputs'].shape) == (3, 256, 256)
        assert tuple(sample['data_samples'].gt_sem_seg.data.shape) == (1, 40, 48)
        labeled = DATASETS.build(dict(cfg.labeled_dataset, data_root=root, ann_file=''))
        assert tuple(labeled[0]['inputs']['sup'].shape) == (3, 256, 256)
        unlabeled = DATASETS.build(dict(cfg.unlabeled_dataset, data_root=root, ann_file=''))
        assert unlabeled.get_data_info(0)['seg_map_path'] is None
        assert [m['type'] for m in cfg.val_evaluator] == ['IoUMetric', 'VolumeMetric']
