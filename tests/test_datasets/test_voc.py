"""PascalVOCAugDataset on a tiny copy of the converted VOC 2012 + SBD layout, and the SplitSegDataset checks."""
import os
import os.path as osp

import numpy as np
import pytest
from mmseg.datasets import PascalVOCDataset

import densessl.datasets.transforms.loading  # noqa: F401  (registers the checked loaders)
from densessl.datasets.voc import PascalVOCAugDataset
from densessl.registry import DATASETS
from densessl.utils import register_all_modules
from tests.helpers.fixtures import write_voc_converted

PIPELINE = [dict(type='LoadCheckedImageFromFile'), dict(type='LoadCheckedAnnotations'), dict(type='PackSegInputs')]
IMG_ONLY = [dict(type='LoadCheckedImageFromFile'), dict(type='PackSegInputs')]


@pytest.fixture(scope='module', autouse=True)
def _scope():
    register_all_modules()


@pytest.fixture
def voc(tmp_path):
    return write_voc_converted(str(tmp_path))


def _build(info, **kwargs):
    cfg = dict(
        data_root=info['data_root'],
        data_prefix=dict(img_path='JPEGImages', seg_map_path='SegmentationClassAug'),
        ann_file='ImageSets/Segmentation/train_aug.txt',
        pipeline=PIPELINE)
    cfg.update(kwargs)
    return PascalVOCAugDataset(**cfg)


def test_train_aug_lists_paths_and_metainfo(voc):
    ds = _build(voc)
    assert len(ds) == len(voc['train_aug']) == 8
    info = ds.get_data_info(3)
    name = voc['train_aug'][3]
    assert info['img_path'] == osp.join(voc['data_root'], 'JPEGImages', name + '.jpg')
    assert info['seg_map_path'] == osp.join(voc['data_root'], 'SegmentationClassAug', name + '.png')
    assert info['sample_name'] == name and info['num_classes'] == 21
    assert ds.metainfo['classes'] == PascalVOCDataset.METAINFO['classes'] and len(ds.metainfo['classes']) == 21
    assert ds.metainfo['palette'] == PascalVOCDataset.METAINFO['palette']
    assert ds.reduce_zero_label is False and ds.ignore_index == 255


def test_pipeline_returns_the_masks(voc):
    ds = _build(voc)
    for i in (0, 7):
        out = ds[i]
        gt = out['data_samples'].gt_sem_seg.data
        assert tuple(gt.shape) == (1, 24, 32) and tuple(out['inputs'].shape) == (3, 24, 32)
        np.testing.assert_array_equal(gt[0].numpy(), voc['masks'][voc['train_aug'][i]])


def test_val_reads_voc_palette_pngs_as_indices(voc):
    ds = _build(voc, data_prefix=dict(img_path='JPEGImages', seg_map_path='SegmentationClass'),
                ann_file='ImageSets/Segmentation/val.txt', test_mode=True)
    assert len(ds) == 3
    gt = ds[1]['data_samples'].gt_sem_seg.data[0].numpy()
    np.testing.assert_array_equal(gt, voc['masks'][voc['val'][1]])
    assert 255 in gt  # the ignore border survives


def test_build_from_config_dict(voc):
    ds = DATASETS.build(
        dict(type='PascalVOCAugDataset', data_root=voc['data_root'],
             data_prefix=dict(img_path='JPEGImages', seg_map_path='SegmentationClassAug'),
             ann_file='ImageSets/Segmentation/train_aug.txt', pipeline=PIPELINE))
    assert isinstance(ds, PascalVOCAugDataset) and len(ds) == 8


def test_split_file_outside_data_root(voc, tmp_path):
    split = tmp_path / 'splits' / 'labeled.txt'
    split.parent.mkdir()
    split.write_text('\n'.join(voc['train_aug'][:3]) + '\n\n')
    ds = _build(voc, ann_file=str(split))
    assert [ds.get_data_info(i)['sample_name'] for i in range(len(ds))] == voc['train_aug'][:3]


def test_relative_split_file_from_working_directory(voc, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.makedirs('data/splits/voc/x')
    with open('data/splits/voc/x/labeled.txt', 'w') as f:
        f.write(voc['train_aug'][1] + '\n')
    ds = _build(voc, ann_file='data/splits/voc/x/labeled.txt')  # not under data_root: found from the cwd
    assert len(ds) == 1 and ds.ann_file == 'data/splits/voc/x/labeled.txt'
    assert len(_build(voc, ann_file='ImageSets/Segmentation/train_aug.txt')) == 8  # data_root first
    with pytest.raises(FileNotFoundError) as err:
        _build(voc, ann_file='data/splits/voc/y/labeled.txt')
    msg = str(err.value)
    assert osp.join(voc['data_root'], 'data/splits/voc/y/labeled.txt') in msg and str(tmp_path) in msg


def test_unlabeled_split_needs_no_masks(voc, tmp_path):
    names = voc['train_aug'][3:]
    for n in names:  # unlabeled images have no mask at all
        os.remove(osp.join(voc['data_root'], 'SegmentationClassAug', n + '.png'))
    split = tmp_path / 'unlabeled.txt'
    split.write_text('\n'.join(names) + '\n')
    with pytest.raises(FileNotFoundError, match='SegmentationClassAug'):
        _build(voc, ann_file=str(split))  # as labeled data it must fail...
    ds = _build(voc, ann_file=str(split), data_prefix=dict(img_path='JPEGImages'), with_label=False,
                pipeline=IMG_ONLY)  # ...as unlabeled data it loads
    assert len(ds) == len(names)
    assert all(ds.get_data_info(i)['seg_map_path'] is None for i in range(len(ds)))
    out = ds[0]
    assert tuple(out['inputs'].shape) == (3, 24, 32) and 'gt_sem_seg' not in out['data_samples']


def test_unlabeled_sample_through_annotation_loader_names_the_problem(voc):
    ds = _build(voc, with_label=False)
    with pytest.raises(ValueError, match='seg_map_path is None'):
        ds[0]


def test_missing_data_root_says_how_to_get_it(tmp_path):
    root = str(tmp_path / 'nowhere' / 'VOC2012')
    with pytest.raises(FileNotFoundError) as err:
        _build(dict(data_root=root))
    assert root in str(err.value) and 'voc_aug.py' in str(err.value) and 'SBD' in str(err.value)


def test_missing_image_folder(voc):
    with pytest.raises(FileNotFoundError) as err:
        _build(voc, data_prefix=dict(img_path='JPEGImagez', seg_map_path='SegmentationClassAug'))
    assert osp.join(voc['data_root'], 'JPEGImagez') in str(err.value)


def test_missing_mask_folder(voc):
    with pytest.raises(FileNotFoundError) as err:
        _build(voc, data_prefix=dict(img_path='JPEGImages', seg_map_path='SegClassAug'))
    assert osp.join(voc['data_root'], 'SegClassAug') in str(err.value)


def test_missing_and_empty_split_file(voc, tmp_path):
    missing = str(tmp_path / 'splits' / 'labeled.txt')
    with pytest.raises(FileNotFoundError) as err:
        _build(voc, ann_file=missing)
    assert missing in str(err.value)
    empty = tmp_path / 'empty.txt'
    empty.write_text('\n\n')
    with pytest.raises(ValueError) as err:
        _build(voc, ann_file=str(empty))
    assert str(empty) in str(err.value) and 'empty' in str(err.value)


def test_missing_image_named(voc):
    gone = osp.join(voc['data_root'], 'JPEGImages', voc['train_aug'][2] + '.jpg')
    os.remove(gone)
    with pytest.raises(FileNotFoundError) as err:
        _build(voc)
    msg = str(err.value)
    assert gone in msg and '1 image(s)' in msg and 'train_aug.txt' in msg  # the file and the list naming it


def test_missing_mask_named(voc):
    gone = osp.join(voc['data_root'], 'SegmentationClassAug', voc['train_aug'][5] + '.png')
    os.remove(gone)
    with pytest.raises(FileNotFoundError) as err:
        _build(voc)
    assert gone in str(err.value) and 'with_label=False' in str(err.value)


def test_base_config_pipelines_run_on_the_layout(voc):
    from mmengine.config import Config
    from tests.helpers.fixtures import REPO_ROOT
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs/_base_/datasets/voc12aug.py'))
    for loader, shape in ((cfg.train_dataloader, (321, 321)), (cfg.val_dataloader, None)):
        ds_cfg = loader.dataset
        ds_cfg.data_root = voc['data_root']
        ds = DATASETS.build(ds_cfg)
        out = ds[0]
        gt = out['data_samples'].gt_sem_seg.data
        if shape:
            assert tuple(gt.shape[-2:]) == shape
        else:  # whole-image evaluation: the mask keeps the original size
            np.testing.assert_array_equal(gt[0].numpy(), voc['masks'][voc['val'][0]])
