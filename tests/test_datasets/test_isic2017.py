"""ISIC2017Dataset on a tiny copy of the ISIC 2017 task 1 layout."""
import os.path as osp

import numpy as np
import pytest

import densessl.datasets.transforms.loading  # noqa: F401
from densessl.datasets.isic2017 import ISIC2017Dataset
from densessl.utils import register_all_modules
from tests.helpers.fixtures import write_isic2017

PIPELINE = [dict(type='LoadCheckedImageFromFile'), dict(type='LoadCheckedAnnotations'), dict(type='PackSegInputs')]


@pytest.fixture(scope='module', autouse=True)
def _scope():
    register_all_modules()


@pytest.fixture
def isic(tmp_path):
    return write_isic2017(str(tmp_path / 'ISIC2017'))


def _build(info, part='Training', gt_suffix='_01', **kwargs):
    cfg = dict(
        data_root=info['data_root'],
        data_prefix=dict(img_path=f'ISIC-2017_{part}_Data', seg_map_path=f'ISIC-2017_{part}_Part1_GroundTruth'
                         + gt_suffix),
        pipeline=PIPELINE)
    cfg.update(kwargs)
    return ISIC2017Dataset(**cfg)


def test_lists_jpgs_only_and_metainfo(isic):
    ds = _build(isic)
    names = [ds.get_data_info(i)['sample_name'] for i in range(len(ds))]
    assert names == isic['names']['Training'] and len(ds) == 6  # *_superpixels.png are not samples
    info = ds.get_data_info(1)
    assert info['img_path'] == osp.join(isic['data_root'], 'ISIC-2017_Training_Data', 'ISIC_0000007.jpg')
    assert info['seg_map_path'] == osp.join(isic['data_root'], 'ISIC-2017_Training_Part1_GroundTruth_01',
                                            'ISIC_0000007_segmentation.png')
    assert ds.metainfo['classes'] == ('background', 'lesion') and info['num_classes'] == 2
    assert len(_build(isic, 'Validation')) == 2 and len(_build(isic, 'Test_v2')) == 3


def test_pipeline_returns_01_masks(isic):
    ds = _build(isic)
    gt = ds[4]['data_samples'].gt_sem_seg.data[0].numpy()
    np.testing.assert_array_equal(gt, isic['masks'][isic['names']['Training'][4]])
    assert set(np.unique(gt).tolist()) == {0, 1}


def test_unconverted_0_255_masks_are_rejected(isic):
    ds = _build(isic, gt_suffix='')
    with pytest.raises(ValueError) as err:
        ds[0]
    path = osp.join(isic['data_root'], 'ISIC-2017_Training_Part1_GroundTruth', 'ISIC_0000000_segmentation.png')
    assert path in str(err.value) and '[255]' in str(err.value)


def test_unlabeled(isic, tmp_path):
    split = tmp_path / 'unlabeled.txt'
    split.write_text('ISIC_0000014\nISIC_0000021\n')
    ds = _build(isic, ann_file=str(split), data_prefix=dict(img_path='ISIC-2017_Training_Data'), with_label=False,
                pipeline=[dict(type='LoadCheckedImageFromFile'), dict(type='PackSegInputs')])
    assert len(ds) == 2 and ds.get_data_info(0)['seg_map_path'] is None
    assert tuple(ds[1]['inputs'].shape) == (3, 24, 32)


def test_missing_root_says_how_to_get_it(tmp_path):
    root = str(tmp_path / 'ISIC2017')
    with pytest.raises(FileNotFoundError) as err:
        _build(dict(data_root=root))
    assert root in str(err.value) and 'tools/dataset_converters/isic2017.py' in str(err.value)


def test_unconverted_mask_folder_missing(tmp_path):
    info = write_isic2017(str(tmp_path / 'ISIC2017'), converted=False)
    with pytest.raises(FileNotFoundError) as err:
        _build(info)
    assert osp.join(info['data_root'], 'ISIC-2017_Training_Part1_GroundTruth_01') in str(err.value)


def test_base_config_pipelines_run_on_the_layout(isic):
    from mmengine.config import Config
    from densessl.registry import DATASETS
    from tests.helpers.fixtures import REPO_ROOT
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs/_base_/datasets/isic2017.py'))
    sizes = {}
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        ds_cfg = cfg[key].dataset
        ds_cfg.data_root = isic['data_root']
        ds = DATASETS.build(ds_cfg)
        sizes[key] = len(ds)
        gt = ds[0]['data_samples'].gt_sem_seg.data
        assert set(np.unique(gt.numpy()).tolist()) <= {0, 1, 255}
    assert sizes == {'train_dataloader': 6, 'val_dataloader': 2, 'test_dataloader': 3}
    assert tuple(gt.shape) == (1, 24, 32)  # evaluation masks keep the original size
