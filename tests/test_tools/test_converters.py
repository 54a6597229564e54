"""tools/dataset_converters/{voc_aug,cityscapes,isic2017}.py on tiny copies of the downloaded layouts."""
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from scipy.io import savemat

from tests.helpers.fixtures import REPO_ROOT, load_tool, write_cityscapes, write_isic2017, write_voc_raw

voc_aug = load_tool('tools/dataset_converters/voc_aug.py')
cityscapes = load_tool('tools/dataset_converters/cityscapes.py')
isic2017 = load_tool('tools/dataset_converters/isic2017.py')


def _png(path):
    with Image.open(path) as img:
        return img.mode, np.array(img)


def _no_tmp_files(folder):
    return not [f for _, _, fs in os.walk(folder) for f in fs if f.endswith('.tmp')]


# ---------------------------------------------------------------- VOC + SBD
@pytest.fixture
def voc_raw(tmp_path):
    return write_voc_raw(str(tmp_path))


def test_voc_aug_masks_and_train_aug_list(voc_raw):
    counts = voc_aug.main([voc_raw['devkit'], voc_raw['aug']])
    out = osp.join(voc_raw['voc_root'], 'SegmentationClassAug')
    sets = osp.join(voc_raw['voc_root'], 'ImageSets', 'Segmentation')
    with open(osp.join(sets, 'train_aug.txt')) as f:
        train_aug = f.read().split()
    # SBD train + SBD val + VOC train, minus VOC val (the VOC val image that is in SBD val stays out)
    assert train_aug == voc_raw['train_aug'] and len(train_aug) == 11
    assert voc_raw['sbd_val'][0] in voc_raw['voc_val'] and voc_raw['sbd_val'][0] not in train_aug
    with open(osp.join(sets, 'aug.txt')) as f:
        assert sorted(f.read().split()) == sorted(set(voc_raw['sbd_train'] + voc_raw['sbd_val']) -
                                                  set(voc_raw['voc_train'] + voc_raw['voc_val']))
    assert counts == dict(masks=14, from_voc=9, from_sbd=5, train_aug=11, aug=5)
    for name in train_aug:  # every train_aug image has an index mask
        mode, mask = _png(osp.join(out, name + '.png'))
        assert mode == 'L' and mask.shape == (24, 32)
        expected = voc_raw['voc_masks'].get(name, voc_raw['sbd_masks'].get(name))
        np.testing.assert_array_equal(mask, expected)
    # an image in both VOC train and SBD takes VOC's annotation (with its 255 border)
    both = voc_raw['voc_train'][0]
    assert both in voc_raw['sbd_masks']
    np.testing.assert_array_equal(_png(osp.join(out, both + '.png'))[1], voc_raw['voc_masks'][both])
    assert _no_tmp_files(out)


def test_voc_aug_dataset_reads_converter_output(voc_raw):
    voc_aug.main([voc_raw['devkit'], voc_raw['aug'], '--nproc', '2'])
    from densessl.datasets.voc import PascalVOCAugDataset
    ds = PascalVOCAugDataset(
        data_root=voc_raw['voc_root'],
        data_prefix=dict(img_path='JPEGImages', seg_map_path='SegmentationClassAug'),
        ann_file='ImageSets/Segmentation/train_aug.txt')
    assert len(ds) == 11


def test_voc_aug_bad_sbd_values_named(voc_raw):
    bad = osp.join(voc_raw['aug'], 'dataset', 'cls', voc_raw['sbd_val'][-1] + '.mat')
    savemat(bad, {'GTcls': {'Segmentation': np.full((24, 32), 30, np.uint8)}})
    with pytest.raises(ValueError) as err:
        voc_aug.main([voc_raw['devkit'], voc_raw['aug']])
    assert bad in str(err.value) and '[30]' in str(err.value)


def test_voc_aug_bad_mat_layout_named(voc_raw):
    bad = osp.join(voc_raw['aug'], 'dataset', 'cls', voc_raw['sbd_train'][-1] + '.mat')
    savemat(bad, {'GTinst': {'Segmentation': np.zeros((24, 32), np.uint8)}})
    with pytest.raises(ValueError) as err:
        voc_aug.main([voc_raw['devkit'], voc_raw['aug']])
    assert bad in str(err.value) and 'GTcls' in str(err.value)


def test_voc_aug_missing_inputs_named(voc_raw):
    gone = osp.join(voc_raw['aug'], 'dataset', 'cls', voc_raw['sbd_train'][-1] + '.mat')
    os.remove(gone)
    with pytest.raises(FileNotFoundError) as err:
        voc_aug.main([voc_raw['devkit'], voc_raw['aug']])
    assert gone in str(err.value)
    with pytest.raises(FileNotFoundError, match='dataset'):
        voc_aug.main([voc_raw['devkit'], osp.join(voc_raw['devkit'], 'no_sbd')])


def test_voc_aug_rgb_voc_mask_named(voc_raw):
    bad = osp.join(voc_raw['voc_root'], 'SegmentationClass', voc_raw['voc_val'][1] + '.png')
    Image.fromarray(np.zeros((24, 32, 3), np.uint8)).save(bad)
    with pytest.raises(ValueError) as err:
        voc_aug.main([voc_raw['devkit'], voc_raw['aug']])
    assert bad in str(err.value) and 'RGB' in str(err.value)


# ---------------------------------------------------------------- Cityscapes
def test_cityscapes_standard_table_entries():
    lut = cityscapes.id_to_train_id_lut()
    assert lut[7] == 0 and lut[8] == 1 and lut[11] == 2 and lut[24] == 11 and lut[26] == 13 and lut[33] == 18
    assert all(lut[i] == 255 for i in (0, 1, 2, 3, 4, 5, 6, 9, 10, 14, 15, 16, 18, 29, 30, 255))
    assert sorted(int(v) for v in lut if 0 <= v < 255) == list(range(19))
    assert lut[34] == -1


def test_cityscapes_label_ids_to_train_ids(tmp_path):
    info = write_cityscapes(str(tmp_path / 'cityscapes'), with_train_ids=False)
    counts = cityscapes.main([info['data_root']])
    assert counts == {'train': 6, 'val': 3}
    for split, names in info['names'].items():
        for name in names:
            path = osp.join(info['data_root'], 'gtFine', split, name + '_gtFine_labelTrainIds.png')
            mode, mask = _png(path)
            assert mode == 'L'
            np.testing.assert_array_equal(mask, info['train_ids'][name])
    assert _no_tmp_files(info['data_root'])


def test_cityscapes_unknown_id_named(tmp_path):
    info = write_cityscapes(str(tmp_path / 'cityscapes'), with_train_ids=False)
    name = info['names']['val'][0]
    bad = osp.join(info['data_root'], 'gtFine', 'val', name + '_gtFine_labelIds.png')
    ids = info['label_ids'][name].copy()
    ids[0, :3] = 40
    Image.fromarray(ids).save(bad)
    with pytest.raises(ValueError) as err:
        cityscapes.main([info['data_root'], '--splits', 'val'])
    assert bad in str(err.value) and '[40]' in str(err.value)


def test_cityscapes_missing_split_named(tmp_path):
    info = write_cityscapes(str(tmp_path / 'cityscapes'), cities={'train': ['aachen']}, with_train_ids=False)
    with pytest.raises(FileNotFoundError) as err:
        cityscapes.main([info['data_root']])
    assert osp.join(info['data_root'], 'gtFine', 'val') in str(err.value)


# ---------------------------------------------------------------- ISIC 2017
def test_isic_0_255_to_0_1(tmp_path):
    info = write_isic2017(str(tmp_path / 'ISIC2017'), converted=False)
    counts = isic2017.main([info['data_root']])
    assert counts == {'Training': 6, 'Validation': 2, 'Test_v2': 3}
    for part, names in info['names'].items():
        for name in names:
            mode, mask = _png(osp.join(info['data_root'], f'ISIC-2017_{part}_Part1_GroundTruth_01',
                                       name + '_segmentation.png'))
            assert mode == 'L' and set(np.unique(mask).tolist()) == {0, 1}
            np.testing.assert_array_equal(mask, info['masks'][name])
    assert _no_tmp_files(info['data_root'])


def test_isic_other_values_named(tmp_path):
    info = write_isic2017(str(tmp_path / 'ISIC2017'), counts={'Training': 2}, converted=False)
    bad = osp.join(info['data_root'], 'ISIC-2017_Training_Part1_GroundTruth', 'ISIC_0000007_segmentation.png')
    mask = np.zeros((24, 32), np.uint8)
    mask[3:5, 3:5] = 128
    Image.fromarray(mask).save(bad)
    with pytest.raises(ValueError) as err:
        isic2017.main([info['data_root']])
    assert bad in str(err.value) and '[128]' in str(err.value)


def test_isic_missing_root_and_folders(tmp_path):
    with pytest.raises(FileNotFoundError, match='root not found'):
        isic2017.main([str(tmp_path / 'none')])
    with pytest.raises(FileNotFoundError) as err:
        isic2017.main([str(tmp_path)])
    assert osp.join(str(tmp_path), 'ISIC-2017_Training_Part1_GroundTruth') in str(err.value)


def test_isic_cli_runs_as_a_script(tmp_path):
    info = write_isic2017(str(tmp_path / 'ISIC2017'), counts={'Validation': 2}, converted=False)
    proc = subprocess.run([sys.executable, osp.join(REPO_ROOT, 'tools/dataset_converters/isic2017.py'),
                           info['data_root']], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert 'Validation: wrote 2 masks' in proc.stdout
