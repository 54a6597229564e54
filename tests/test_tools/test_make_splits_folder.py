"""tools/make_splits.py --folder (any image folder) and the ACDC split files."""
import os
import os.path as osp

import pytest

from tests.helpers.fixtures import load_tool
from tests.helpers.medical import write_binary_folder

make_splits = load_tool('tools/make_splits.py')


def _read(folder, part):
    with open(osp.join(folder, part + '.txt')) as f:
        return f.read().split()


def test_folder_num_and_val_fraction(tmp_path):
    info = write_binary_folder(str(tmp_path / 'lesions'), n=10)
    out = str(tmp_path / 'splits')
    make_splits.main(['--folder', info['img_dir'], '--num', '3', '--out', out])
    folder = osp.join(out, 'lesions')  # default name: the image folder's parent
    labeled, unlabeled, val = (_read(folder, p) for p in ('labeled', 'unlabeled', 'val'))
    assert (len(labeled), len(unlabeled), len(val)) == (3, 5, 2)
    assert sorted(labeled + unlabeled + val) == info['names']
    make_splits.main(['--folder', info['img_dir'], '--num', '3', '--out', out])
    assert _read(folder, 'labeled') == labeled  # deterministic
    make_splits.main(['--folder', info['img_dir'], '--num', '3', '--out', out, '--seed', '1'])
    assert (_read(folder, 'labeled'), _read(folder, 'val')) != (labeled, val)


def test_folder_fraction_no_val_and_name(tmp_path):
    info = write_binary_folder(str(tmp_path / 'x'), n=10)
    out = str(tmp_path / 'splits')
    make_splits.main(['--folder', info['img_dir'], '--fraction', '0.2', '--val-num', '0', '--name', 'mine/20pct',
                      '--out', out])
    folder = osp.join(out, 'mine', '20pct')
    assert len(_read(folder, 'labeled')) == 2 and len(_read(folder, 'unlabeled')) == 8
    assert not osp.exists(osp.join(folder, 'val.txt'))


def test_folder_with_masks_only_labels_images_that_have_one(tmp_path):
    info = write_binary_folder(str(tmp_path / 'x'), n=10)
    without = info['names'][:6]
    for name in without:
        os.remove(osp.join(info['mask_dir'], name + '.png'))
    out = str(tmp_path / 'splits')
    make_splits.main(['--folder', info['img_dir'], '--ann-dir', info['mask_dir'], '--num', '3', '--val-num', '1',
                      '--out', out, '--name', 'm'])
    folder = osp.join(out, 'm')
    assert not (set(_read(folder, 'labeled')) | set(_read(folder, 'val'))) & set(without)
    assert set(without) <= set(_read(folder, 'unlabeled'))
    with pytest.raises(ValueError, match='cannot label 5 images: 3 training images with masks remain'):
        make_splits.main(['--folder', info['img_dir'], '--ann-dir', info['mask_dir'], '--num', '5', '--val-num',
                          '1', '--out', out, '--name', 'm'])


def test_folder_argument_errors(tmp_path):
    with pytest.raises(SystemExit):
        make_splits.parse_args(['--folder', str(tmp_path)])  # needs --num / --fraction
    with pytest.raises(FileNotFoundError, match='image folder not found'):
        make_splits.main(['--folder', str(tmp_path / 'none'), '--num', '1'])


def test_acdc_writes_the_fields_files(tmp_path):
    written = make_splits.main(['acdc', '--out', str(tmp_path)])
    assert sorted(written.values()) == [(32, 1280), (68, 1244), (136, 1176)]
    assert _read(osp.join(str(tmp_path), 'acdc', '7'), 'test')[:2] == ['data/patient011_frame01.h5',
                                                                       'data/patient011_frame02.h5']
