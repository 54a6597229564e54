"""CityscapesTrainIdsDataset on a tiny copy of the Cityscapes layout."""
import os.path as osp
import shutil

import numpy as np
import pytest
from mmseg.datasets import CityscapesDataset

import densessl.datasets.transforms.loading  # noqa: F401
from densessl.datasets.cityscapes import CityscapesTrainIdsDataset
from densessl.utils import register_all_modules
from tests.helpers.fixtures import write_cityscapes

PIPELINE = [dict(type='LoadCheckedImageFromFile'), dict(type='LoadCheckedAnnotations'), dict(type='PackSegInputs')]


@pytest.fixture(scope='module', autouse=True)
def _scope():
    register_all_modules()


@pytest.fixture
def city(tmp_path):
    return write_cityscapes(str(tmp_path / 'cityscapes'))


def _build(info, split='train', **kwargs):
    cfg = dict(
        data_root=info['data_root'],
        data_prefix=dict(img_path=f'leftImg8bit/{split}', seg_map_path=f'gtFine/{split}'),
        pipeline=PIPELINE)
    cfg.update(kwargs)
    return CityscapesTrainIdsDataset(**cfg)


def test_empty_ann_file_scans_the_folder_sorted(city):
    ds = _build(city)
    names = [ds.get_data_info(i)['sample_name'] for i in range(len(ds))]
    assert names == city['names']['train'] and len(names) == 6
    assert names[0] == 'aachen/aachen_000000_000019'
    info = ds.get_data_info(0)
    root = city['data_root']
    assert info['img_path'] == osp.join(root, 'leftImg8bit/train/aachen/aachen_000000_000019_leftImg8bit.png')
    assert info['seg_map_path'] == osp.join(root,
                                            'gtFine/train/aachen/aachen_000000_000019_gtFine_labelTrainIds.png')
    assert ds.metainfo['classes'] == CityscapesDataset.METAINFO['classes'] and len(ds.metainfo['classes']) == 19
    assert len(_build(city, split='val')) == 3


def test_pipeline_returns_train_id_masks(city):
    ds = _build(city)
    for i in (0, 5):
        gt = ds[i]['data_samples'].gt_sem_seg.data[0].numpy()
        np.testing.assert_array_equal(gt, city['train_ids'][city['names']['train'][i]])
        assert gt.max() == 255 and gt[gt != 255].max() <= 18


def test_split_file_with_city_names(city, tmp_path):
    split = tmp_path / 'labeled.txt'
    split.write_text('bochum/bochum_000001_000029\naachen/aachen_000000_000019\n')
    ds = _build(city, ann_file=str(split))
    assert len(ds) == 2
    assert ds.get_data_info(0)['img_path'].endswith('leftImg8bit/train/bochum/bochum_000001_000029_leftImg8bit.png')


def test_unlabeled_needs_no_gtfine(city):
    shutil.rmtree(osp.join(city['data_root'], 'gtFine'))
    with pytest.raises(FileNotFoundError, match='gtFine/train'):
        _build(city)
    ds = _build(city, data_prefix=dict(img_path='leftImg8bit/train'), with_label=False,
                pipeline=[dict(type='LoadCheckedImageFromFile'), dict(type='PackSegInputs')])
    assert len(ds) == 6 and ds.get_data_info(2)['seg_map_path'] is None
    assert tuple(ds[2]['inputs'].shape) == (3, 16, 32)


def test_missing_root_says_how_to_get_it(tmp_path):
    root = str(tmp_path / 'cityscapes')
    with pytest.raises(FileNotFoundError) as err:
        _build(dict(data_root=root))
    assert root in str(err.value) and 'tools/dataset_converters/cityscapes.py' in str(err.value)


def test_image_listed_but_missing(city, tmp_path):
    split = tmp_path / 'labeled.txt'
    split.write_text('aachen/aachen_000000_000019\nulm/ulm_000000_000019\n')
    with pytest.raises(FileNotFoundError) as err:
        _build(city, ann_file=str(split))
    assert osp.join(city['data_root'], 'leftImg8bit/train/ulm/ulm_000000_000019_leftImg8bit.png') in str(err.value)


def test_empty_image_folder(city):
    with pytest.raises(ValueError) as err:
        _build(city, data_prefix=dict(img_path='gtFine/train'), with_label=False)  # no *_leftImg8bit.png there
    assert osp.join(city['data_root'], 'gtFine/train') in str(err.value)


def test_base_config_pipelines_run_on_the_layout(city):
    from mmengine.config import Config
    from densessl.registry import DATASETS
    from tests.helpers.fixtures import REPO_ROOT
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs/_base_/datasets/cityscapes.py'))
    train = cfg.train_dataloader.dataset
    train.data_root = city['data_root']
    out = DATASETS.build(train)[0]
    gt = out['data_samples'].gt_sem_seg.data
    # the crop is 256x512 (h x w); mmcv's Pad takes (w, h), which the config accounts for
    assert tuple(gt.shape[-2:]) == (256, 512) and tuple(out['inputs'].shape[-2:]) == (256, 512)
    assert (gt[gt != 255] <= 18).all()
    val = cfg.val_dataloader.dataset
    val.data_root = city['data_root']
    ds = DATASETS.build(val)
    assert len(ds) == 3
    np.testing.assert_array_equal(ds[0]['data_samples'].gt_sem_seg.data[0].numpy(),
                                  city['train_ids'][city['names']['val'][0]])
