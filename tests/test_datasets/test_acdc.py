"""ACDC in the SSL4MIS / UniMatch h5 layout: the field's split files, slice and volume datasets, their errors."""
import os.path as osp

import h5py
import numpy as np
import pytest

from densessl.datasets.acdc import (ACDC_TEST_CASES, ACDC_TRAIN_CASES, ACDC_VAL_CASES, ACDCDataset, H5SegDataset,
                                    acdc_split_lines, write_h5_layout)
from densessl.utils import register_all_modules
from tests.helpers.fixtures import REPO_ROOT
from tests.helpers.medical import write_acdc

TEST_PIPELINE = [dict(type='LoadH5ImageFromFile'), dict(type='Resize', scale=(32, 32), keep_ratio=False),
                 dict(type='LoadH5Annotations'),
                 dict(type='PackSegInputs', meta_keys=('img_path', 'ori_shape', 'img_shape', 'volume_id',
                                                       'slice_index', 'num_slices'))]


@pytest.fixture(scope='module', autouse=True)
def _scope():
    register_all_modules()


@pytest.fixture
def acdc(tmp_path):
    return write_acdc(str(tmp_path / 'ACDC'))


def test_case_table_is_the_fields_split():
    """1312 training slices of 70 patients (SSL4MIS); 1 / 3 / 7 cases = 32 / 68 / 136 slices (SSL4MIS's
    patients_to_slices); 100 distinct patients in train / val / test."""
    assert len(ACDC_TRAIN_CASES) == 70 and 2 * sum(n for _, n in ACDC_TRAIN_CASES) == 1312
    assert [len(acdc_split_lines(n)['labeled']) for n in (1, 3, 7)] == [32, 68, 136]
    patients = [p for p, _ in ACDC_TRAIN_CASES] + list(ACDC_VAL_CASES) + list(ACDC_TEST_CASES)
    assert sorted(patients) == [f'patient{i:03d}' for i in range(1, 101)]
    lines = acdc_split_lines(3)
    assert {line.split('_frame')[0][len('data/slices/'):] for line in lines['labeled']} == {
        'patient099', 'patient038', 'patient050'}
    assert not set(lines['labeled']) & set(lines['unlabeled'])


@pytest.mark.parametrize('cases', [1, 3, 7])
def test_committed_split_files_match_the_table(cases):
    folder = osp.join(REPO_ROOT, 'data', 'splits', 'acdc', str(cases))
    for key, lines in acdc_split_lines(cases).items():
        with open(osp.join(folder, key + '.txt')) as f:
            assert f.read().split() == lines, key


def test_slice_dataset_lists_uni_match_lines(acdc):
    ds = ACDCDataset(data_root=acdc['data_root'], ann_file=acdc['splits']['labeled'], pipeline=[])
    assert len(ds) == 6  # 2 frames x 3 slices of the first case
    info = ds.get_data_info(0)
    assert info['img_path'] == osp.join(acdc['data_root'], 'data', 'slices', 'patient001_frame01_slice_1.h5')
    assert info['seg_map_path'] == info['img_path'] and info['slice_index'] is None and info['num_classes'] == 4
    assert info['mask_ignore_index'] is None
    unl = ACDCDataset(data_root=acdc['data_root'], ann_file=acdc['splits']['unlabeled'], with_label=False,
                      pipeline=[])
    assert len(unl) == 18 and unl.get_data_info(0)['seg_map_path'] is None


def test_volume_dataset_gives_every_slice_with_volume_keys(acdc):
    ds = ACDCDataset(data_root=acdc['data_root'], ann_file=acdc['splits']['val'], volumes=True,
                     pipeline=TEST_PIPELINE)
    assert len(ds) == 6  # two volumes of 3 slices
    infos = [ds.get_data_info(i) for i in range(len(ds))]
    assert [(i['volume_id'], i['slice_index'], i['num_slices']) for i in infos] == [
        ('patient004_frame01', k, 3) for k in range(3)] + [('patient004_frame02', k, 3) for k in range(3)]
    sample = ds[4]
    image, label = acdc['volumes']['patient004_frame02']
    assert tuple(sample['inputs'].shape) == (1, 32, 32)  # resized for the network
    gt = sample['data_samples'].gt_sem_seg.data[0].numpy()
    assert gt.shape == (24, 20) and (gt == label[1]).all()  # the label keeps the original size
    assert sample['data_samples'].metainfo['slice_index'] == 1


def test_missing_files_are_listed(acdc, tmp_path):
    split = tmp_path / 'split.txt'
    split.write_text('data/slices/patient001_frame01_slice_1.h5\ndata/slices/patient009_frame01_slice_1\n')
    with pytest.raises(FileNotFoundError, match=r'(?s)1 h5 file\(s\).*patient009_frame01_slice_1.h5'):
        ACDCDataset(data_root=acdc['data_root'], ann_file=str(split), pipeline=[])
    with pytest.raises(FileNotFoundError, match='(?s)data root not found.*SSL4MIS'):
        ACDCDataset(data_root=str(tmp_path / 'none'), ann_file=str(split), pipeline=[])
    with pytest.raises(FileNotFoundError, match='split file not found'):
        ACDCDataset(data_root=acdc['data_root'], ann_file=str(tmp_path / 'none.txt'), pipeline=[])


def test_volume_errors_at_build_time(tmp_path):
    root = tmp_path / 'vols'
    (root / 'data').mkdir(parents=True)
    with h5py.File(root / 'data' / 'a.h5', 'w') as f:
        f['image'] = np.zeros((2, 4, 4))
        f['label'] = np.zeros((2, 4, 5), np.uint8)
    with h5py.File(root / 'data' / 'b.h5', 'w') as f:
        f['image'] = np.zeros((4, 4))
        f['label'] = np.zeros((4, 4), np.uint8)
    with pytest.raises(ValueError, match=r"a.h5: 'label' has shape \(2, 4, 5\) but 'image' has shape \(2, 4, 4\)"):
        H5SegDataset(data_root=str(root), ann_file='', data_prefix=dict(img_path='data'), volumes=True,
                     metainfo=dict(classes=('a', 'b')), pipeline=[], lazy_init=False)
    (root / 'b.txt').write_text('data/b.h5\n')
    with pytest.raises(ValueError, match='b.h5.*expected a volume'):
        H5SegDataset(data_root=str(root), ann_file=str(root / 'b.txt'), volumes=True,
                     metainfo=dict(classes=('a', 'b')), pipeline=[])


def test_write_h5_layout_refuses_existing_and_bad_shapes(tmp_path):
    vol = (np.zeros((2, 3, 3), np.float32), np.zeros((2, 3, 3), np.uint8))
    out = write_h5_layout(str(tmp_path / 'x'), {'v': vol})
    assert out['v'] == ['data/slices/v_slice_1.h5', 'data/slices/v_slice_2.h5']
    with pytest.raises(FileExistsError):
        write_h5_layout(str(tmp_path / 'x'), {'v': vol})
    with pytest.raises(ValueError, match='same'):
        write_h5_layout(str(tmp_path / 'y'), {'v': (vol[0], vol[1][:1])})
    assert not osp.exists(tmp_path / 'y')
