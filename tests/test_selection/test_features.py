"""Features of a pool: config / weights resolution and its errors, the backbone load (and a checkpoint without a
backbone), folder and split pools, values checked against a hand-run backbone, the on-disk cache and its resume."""
import json
import os.path as osp

import mmcv
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config

from densessl.selection.features import (build_backbone, build_pool, extract_features, find_backbone_cfg,
                                         find_preprocessor_cfg, pool_names, resolve_model)
from tests.test_selection.fixtures import write_tiny_pool


@pytest.fixture(scope='module')
def pool(tmp_path_factory):
    return write_tiny_pool(str(tmp_path_factory.mktemp('pool')))


def test_resolve_model_config_checkpoint_and_errors(pool):
    cfg, weights, ckpt = resolve_model(pool['config'], checkpoint=pool['ckpt'])
    assert weights == pool['ckpt'] and ckpt is None and find_backbone_cfg(cfg)['base_channels'] == 8
    cfg, weights, ckpt = resolve_model(pool['ckpt'])  # a Runner checkpoint carries its config
    assert ckpt is not None and find_backbone_cfg(cfg)['stem_channels'] == 8
    cfg, _, _ = resolve_model(pool['backbone'], config=pool['config'])
    assert find_backbone_cfg(cfg)['depth'] == 18
    with pytest.raises(ValueError, match='names no weights'):
        resolve_model(pool['config'])
    with pytest.raises(ValueError, match='carries no config'):
        resolve_model(pool['backbone'])
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        resolve_model(pool['config'], checkpoint=osp.join(pool['root'], 'nope.pth'))
    with pytest.raises(FileNotFoundError, match='missing_cfg.py'):
        resolve_model(osp.join(pool['root'], 'missing_cfg.py'))


def test_backbone_and_preprocessor_found_in_nested_configs():
    cfg = Config(dict(model=dict(
        type='CutMixSegmentor', segmentor=dict(type='EncoderDecoder', backbone=dict(type='ResNet', depth=18)),
        data_preprocessor=dict(type='MultiBranchDataPreprocessor',
                               data_preprocessor=dict(mean=[1, 2, 3], std=[4, 5, 6], bgr_to_rgb=False)))))
    assert find_backbone_cfg(cfg) == dict(type='ResNet', depth=18)
    assert find_preprocessor_cfg(cfg) == dict(mean=[1, 2, 3], std=[4, 5, 6], bgr_to_rgb=False)
    with pytest.raises(ValueError, match='no model.backbone'):
        find_backbone_cfg(Config(dict(model=dict(type='Head'))))


def test_build_backbone_loads_weights_and_refuses_a_checkpoint_without_backbone(pool):
    cfg = Config.fromfile(pool['config'])
    bb = build_backbone(cfg, pool['ckpt'], device='cpu')
    assert not bb.training
    for k, v in pool['backbone_state'].items():
        assert torch.equal(bb.state_dict()[k], v), k
    bb2 = build_backbone(cfg, pool['backbone'], device='cpu')  # bare keys
    assert torch.equal(bb2.state_dict()['conv1.weight'], pool['backbone_state']['conv1.weight'])
    with pytest.raises(ValueError, match='head_only.pth holds no weights of the backbone .ResNet.'):
        build_backbone(cfg, pool['head'], device='cpu')


def test_build_pool_from_a_folder_or_a_split_and_its_errors(pool, tmp_path):
    assert pool_names(build_pool(pool['img_dir'])) == pool['all_names']
    cfg = Config.fromfile(pool['config'])
    assert pool_names(build_pool(pool['split'], cfg)) == pool['train_names']
    empty = tmp_path / 'empty'
    empty.mkdir()
    (empty / 'notes.txt').write_text('no image here')
    with pytest.raises(ValueError, match='no image'):
        build_pool(str(empty))
    mixed = tmp_path / 'mixed'
    mixed.mkdir()
    for name in ('a.png', 'b.jpg'):
        mmcv.imwrite(np.zeros((4, 4, 3), np.uint8), str(mixed / name))
    with pytest.raises(ValueError, match='several suffixes'):
        build_pool(str(mixed))
    assert pool_names(build_pool(str(mixed), img_suffix='.jpg')) == ['b']
    with pytest.raises(FileNotFoundError, match='images not found'):
        build_pool(str(tmp_path / 'nowhere'))
    with pytest.raises(ValueError, match='split file'):
        build_pool(pool['split'])


def test_build_pool_reads_a_split_through_the_folder_dataset(pool):
    # the medical / custom-data dataset of the configs: its unlabeled copy needs no mask folder
    cfg = Config(dict(train_dataloader=dict(dataset=dict(
        type='ConcatDataset', datasets=[
            dict(type='FolderSegDataset', data_root=pool['root'], classes=('background', 'square', 'disc'),
                 data_prefix=dict(img_path='img', seg_map_path='ann'), ann_file='labeled.txt'),
            dict(type='FolderSegDataset', data_root=pool['root'], classes=('background', 'square', 'disc'),
                 data_prefix=dict(img_path='img'), ann_file='unlabeled.txt', with_label=False)]))))
    ds = build_pool(pool['split'], cfg)
    assert pool_names(ds) == pool['train_names']
    assert ds[0]['inputs'].shape == (3, 32, 32)


class Counting(torch.nn.Module):
    """A backbone wrapper that counts the images it embedded (and can refuse to run)."""

    def __init__(self, backbone, fail=False):
        super().__init__()
        self.backbone, self.fail, self.seen = backbone, fail, 0

    def forward(self, x):
        if self.fail:
            raise AssertionError('the cached features should have been used')
        self.seen += len(x)
        return self.backbone(x)


def test_extract_features_values_cache_and_resume(pool, tmp_path):
    cfg = Config.fromfile(pool['config'])
    bb = build_backbone(cfg, pool['ckpt'], device='cpu')
    ds = build_pool(pool['split'], cfg)
    pre = find_preprocessor_cfg(cfg)
    f = extract_features(bb, ds, pre, batch_size=5, region_grid=2, progress=False)
    assert f.names == pool['train_names']
    assert f.pooled.shape == (12, 64) and f.regions.shape == (12, 4, 64) and f.regions.dtype == np.float16
    np.testing.assert_allclose(np.linalg.norm(f.pooled, axis=1), 1.0, atol=1e-5)
    # by hand: BGR file -> RGB -> (x - 0) / 255 -> backbone -> last map -> mean -> L2
    img = mmcv.imread(osp.join(pool['img_dir'], f.names[3] + '.png'))[..., ::-1] / 255.0
    with torch.no_grad():
        fmap = bb(torch.from_numpy(img.copy()).float().permute(2, 0, 1)[None])[-1]
    np.testing.assert_allclose(f.pooled[3], F.normalize(fmap.mean((2, 3)), dim=1)[0].numpy(), atol=1e-5)
    cell = F.normalize(F.adaptive_avg_pool2d(fmap, 2).flatten(2).transpose(1, 2), dim=2)[0]
    np.testing.assert_allclose(f.regions[3].astype(np.float32), cell.numpy(), atol=2e-3)

    fdir = str(tmp_path / 'feats')
    counting = Counting(bb)
    cached = extract_features(counting, ds, pre, batch_size=4, region_grid=2, feature_dir=fdir, chunk_size=4,
                              key=dict(weights='tiny'), progress=False)
    assert counting.seen == 12 and isinstance(cached.pooled, np.memmap)
    np.testing.assert_allclose(cached.pooled, f.pooled, atol=1e-6)
    assert open(osp.join(fdir, 'names.txt')).read().split() == f.names
    # the same images, weights and settings: read back, no forward pass
    again = extract_features(Counting(bb, fail=True), ds, pre, region_grid=2, feature_dir=fdir,
                             key=dict(weights='tiny'), progress=False)
    np.testing.assert_array_equal(again.regions, cached.regions)
    # an interrupted extraction (4 of 12 flushed) resumes at image 4
    meta_path = osp.join(fdir, 'features.json')
    meta = json.load(open(meta_path))
    json.dump(dict(meta, done=4), open(meta_path, 'w'))
    resumed_bb = Counting(bb)
    resumed = extract_features(resumed_bb, ds, pre, batch_size=4, region_grid=2, feature_dir=fdir,
                               key=dict(weights='tiny'), progress=False)
    assert resumed_bb.seen == 8 and json.load(open(meta_path))['done'] == 12
    np.testing.assert_allclose(resumed.pooled, f.pooled, atol=1e-6)
    # other weights: a fresh extraction in the same folder
    other = Counting(bb)
    extract_features(other, ds, pre, region_grid=2, feature_dir=fdir, key=dict(weights='other'), progress=False)
    assert other.seen == 12
