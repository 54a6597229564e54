"""tools/dataset_converters/isic2018.py and kvasir.py on tiny copies of the downloads."""
import os
import os.path as osp

import numpy as np
import pytest
from PIL import Image

from tests.helpers.fixtures import load_tool
from tests.helpers.medical import write_binary_folder, write_isic2018

isic2018 = load_tool('tools/dataset_converters/isic2018.py')
kvasir = load_tool('tools/dataset_converters/kvasir.py')


def test_isic2018_writes_0_1_masks(tmp_path):
    info = write_isic2018(str(tmp_path / 'ISIC2018'))
    counts = isic2018.main([info['data_root']])
    assert counts == {'Training': 8, 'Validation': 3}
    name = info['names']['Validation'][1]
    out = np.array(Image.open(osp.join(info['data_root'], 'ISIC2018_Task1_Validation_GroundTruth_01',
                                       name + '_segmentation.png')))
    assert (out == info['masks'][name]).all() and set(np.unique(out)) <= {0, 1}


def test_isic2018_rejects_other_values_and_missing_root(tmp_path):
    info = write_isic2018(str(tmp_path / 'ISIC2018'), counts={'Training': 2})
    name = info['names']['Training'][0]
    path = osp.join(info['data_root'], 'ISIC2018_Task1_Training_GroundTruth', name + '_segmentation.png')
    bad = np.array(Image.open(path))
    bad[0, 0] = 128
    Image.fromarray(bad).save(path)
    with pytest.raises(ValueError, match=r'_segmentation.png: values \[128\]'):
        isic2018.convert(info['data_root'])
    with pytest.raises(FileNotFoundError, match='root not found'):
        isic2018.convert(str(tmp_path / 'none'))


def test_kvasir_thresholds_jpeg_masks_and_writes_a_split(tmp_path):
    info = write_binary_folder(str(tmp_path / 'Kvasir-SEG'), n=10, mask_suffix='.jpg', jpeg_masks=True)
    raw = np.array(Image.open(osp.join(info['mask_dir'], info['names'][0] + '.jpg')))
    assert len(np.unique(raw)) > 2  # JPEG noise
    counts = kvasir.main([info['root'], '--num-val', '2', '--num-test', '3'])
    assert counts == dict(masks=10, train=5, val=2, test=3)
    for name in info['names']:
        out = np.array(Image.open(osp.join(info['root'], 'masks_01', name + '.png')))
        assert (out != info['masks'][name]).mean() < 0.02  # only a few boundary pixels may flip
    parts = {p: open(osp.join(info['root'], p + '.txt')).read().split() for p in ('train', 'val', 'test')}
    assert sorted(sum(parts.values(), [])) == sorted(info['names'])
    again = {p: open(osp.join(info['root'], p + '.txt')).read().split() for p in parts}
    kvasir.main([info['root'], '--num-val', '2', '--num-test', '3'])
    assert again == {p: open(osp.join(info['root'], p + '.txt')).read().split() for p in parts}  # deterministic


def test_kvasir_errors(tmp_path):
    info = write_binary_folder(str(tmp_path / 'Kvasir-SEG'), n=3)
    os.remove(osp.join(info['mask_dir'], 'img_0001.png'))
    with pytest.raises(FileNotFoundError, match=r"have no mask.*img_0001"):
        kvasir.convert(info['root'])
    Image.fromarray(np.full((40, 48), 128, np.uint8)).save(osp.join(info['mask_dir'], 'img_0001.png'))
    with pytest.raises(ValueError, match='img_0001.png: 100.0% of the pixels are between 64 and 191'):
        kvasir.convert(info['root'], num_val=0, num_test=1)
    with pytest.raises(ValueError, match='cannot give'):
        kvasir.convert(info['root'], num_val=2, num_test=1)
