"""FolderSegDataset (any folder of images + masks), ISIC2018Dataset and KvasirSEGDataset on tiny layouts."""
import os.path as osp

import numpy as np
import pytest
from PIL import Image

from densessl.datasets.folder import FolderSegDataset, find_image_suffix, find_mask_suffix
from densessl.datasets.isic2018 import ISIC2018Dataset
from densessl.datasets.kvasir import KvasirSEGDataset
from densessl.utils import register_all_modules
from tests.helpers.medical import write_binary_folder, write_isic2018

PIPELINE = [dict(type='LoadCheckedImageFromFile'), dict(type='LoadCheckedAnnotations'), dict(type='PackSegInputs')]


@pytest.fixture(scope='module', autouse=True)
def _scope():
    register_all_modules()


def _folder(info, **kwargs):
    cfg = dict(data_root=info['root'], data_prefix=dict(img_path=osp.basename(info['img_dir']),
                                                         seg_map_path=osp.basename(info['mask_dir'])),
               pipeline=PIPELINE)
    cfg.update(kwargs)
    return FolderSegDataset(**cfg)


def test_binary_masks_are_read_as_classes_0_1(tmp_path):
    info = write_binary_folder(str(tmp_path / 'polyps'), n=4)
    ds = _folder(info, classes=('background', 'polyp'), binary_masks=True)
    assert len(ds) == 4 and ds.img_suffix == '.jpg' and ds.seg_map_suffix == '.png'
    assert ds.metainfo['classes'] == ('background', 'polyp') and ds.metainfo['palette'][1] == [255, 255, 255]
    gt = ds[2]['data_samples'].gt_sem_seg.data[0].numpy()
    assert set(np.unique(gt)) == {0, 1} and (gt == info['masks'][info['names'][2]]).all()


def test_without_binary_option_a_0_255_mask_is_ignore_and_num_classes_names(tmp_path):
    info = write_binary_folder(str(tmp_path / 'f'), n=2)
    ds = _folder(info, num_classes=3)
    assert ds.metainfo['classes'] == ('background', 'class_1', 'class_2')
    gt = ds[0]['data_samples'].gt_sem_seg.data[0].numpy()
    assert set(np.unique(gt)) == {0, 255}  # index masks: 255 is the ignore label


def test_isic_style_suffixes_and_a_split_file(tmp_path):
    info = write_binary_folder(str(tmp_path / 'isic'), n=5, mask_suffix='_segmentation.png',
                               name_fmt='ISIC_{:07d}')
    split = tmp_path / 'labeled.txt'
    split.write_text('ISIC_0000003\nISIC_0000001\n')
    ds = _folder(info, classes=('background', 'lesion'), binary_masks=True, ann_file=str(split))
    assert ds.seg_map_suffix == '_segmentation.png'
    assert [ds.get_data_info(i)['sample_name'] for i in range(len(ds))] == ['ISIC_0000003', 'ISIC_0000001']


def test_jpeg_masks_fail_with_the_file_named(tmp_path):
    """JPEG compression leaves values between 0 and 255: reported with the file, not silently thresholded."""
    info = write_binary_folder(str(tmp_path / 'kv'), n=2, mask_suffix='.jpg', jpeg_masks=True)
    ds = _folder(info, num_classes=2, binary_masks=True)
    assert ds.seg_map_suffix == '.jpg'
    with pytest.raises(ValueError, match=r'(?s)img_0000\.jpg has values outside \[0, 2\).*converted'):
        ds[0]


def test_configuration_errors(tmp_path):
    info = write_binary_folder(str(tmp_path / 'f'), n=2)
    with pytest.raises(ValueError, match='give classes'):
        _folder(info)
    with pytest.raises(ValueError, match='binary_masks=True maps 0/255 masks to 2 classes'):
        _folder(info, num_classes=3, binary_masks=True)
    with pytest.raises(ValueError, match='num_classes=3 but 2 classes'):
        _folder(info, classes=('a', 'b'), num_classes=3)
    with pytest.raises(FileNotFoundError, match='image folder not found'):
        _folder(info, num_classes=2, data_prefix=dict(img_path='nope', seg_map_path='masks'))


def test_suffix_detection_errors(tmp_path):
    info = write_binary_folder(str(tmp_path / 'f'), n=2)
    Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(osp.join(info['img_dir'], 'extra.png'))
    with pytest.raises(ValueError, match=r"several suffixes: '\.jpg' \(2\), '\.png' \(1\)"):
        find_image_suffix(info['img_dir'])
    assert _folder(info, num_classes=2, img_suffix='.jpg').img_suffix == '.jpg'
    Image.fromarray(np.zeros((4, 4), np.uint8)).save(osp.join(info['mask_dir'], 'img_0000_mask.png'))
    Image.fromarray(np.zeros((4, 4), np.uint8)).save(osp.join(info['mask_dir'], 'img_0001_mask.png'))
    with pytest.raises(ValueError, match='several endings'):
        find_mask_suffix(info['mask_dir'], info['names'])
    with pytest.raises(ValueError, match='no mask.*matches'):
        find_mask_suffix(info['img_dir'], ['zzz'])


def test_isic2018_layout(tmp_path):
    isic = write_isic2018(str(tmp_path / 'ISIC2018'), converted=True)
    ds = ISIC2018Dataset(data_root=isic['data_root'],
                         data_prefix=dict(img_path='ISIC2018_Task1-2_Training_Input',
                                          seg_map_path='ISIC2018_Task1_Training_GroundTruth_01'),
                         pipeline=PIPELINE)
    names = [ds.get_data_info(i)['sample_name'] for i in range(len(ds))]
    assert names == isic['names']['Training']  # LICENSE.txt is not a sample
    gt = ds[1]['data_samples'].gt_sem_seg.data[0].numpy()
    assert (gt == isic['masks'][names[1]]).all()
    raw = ISIC2018Dataset(data_root=isic['data_root'],
                          data_prefix=dict(img_path='ISIC2018_Task1-2_Training_Input',
                                           seg_map_path='ISIC2018_Task1_Training_GroundTruth'), pipeline=PIPELINE)
    with pytest.raises(ValueError, match=r'values outside \[0, 2\): \[255\]'):
        raw[0]  # unconverted 0/255 mask: no ignore label in ISIC
    with pytest.raises(FileNotFoundError, match='(?s)data root not found.*isic2018.py'):
        ISIC2018Dataset(data_root=str(tmp_path / 'none'), pipeline=PIPELINE)


def test_kvasir_layout(tmp_path):
    info = write_binary_folder(str(tmp_path / 'Kvasir-SEG'), n=3, mask_dir='masks_01', img_dir='images')
    for name, mask in info['masks'].items():  # the converter's 0/1 masks
        Image.fromarray(mask).save(osp.join(info['mask_dir'], name + '.png'))
    (tmp_path / 'Kvasir-SEG' / 'train.txt').write_text('img_0001\nimg_0002\n')
    ds = KvasirSEGDataset(data_root=info['root'], data_prefix=dict(img_path='images', seg_map_path='masks_01'),
                          ann_file='train.txt', pipeline=PIPELINE)
    assert len(ds) == 2 and ds.metainfo['classes'] == ('background', 'polyp')
    assert (ds[0]['data_samples'].gt_sem_seg.data[0].numpy() == info['masks']['img_0001']).all()
