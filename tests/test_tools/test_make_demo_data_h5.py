"""tools/misc/make_demo_data.py --h5: the demo scenes as one-channel volumes in the ACDC h5 layout + split files."""
import os.path as osp

import h5py
import numpy as np
import pytest
from PIL import Image

from densessl.datasets.acdc import DemoACDCDataset
from densessl.utils import register_all_modules
from tests.helpers.demo_data import fake_items, write_idx
from tests.helpers.fixtures import load_tool

make_demo_data = load_tool('tools/misc/make_demo_data.py')


@pytest.fixture
def made(tmp_path):
    rng = np.random.default_rng(0)
    fmnist = str(tmp_path / 'fmnist')
    for part, n in (('train', 60), ('t10k', 30)):
        write_idx(fmnist, part, *fake_items(rng, n), gz=False)
    args = ['--out', str(tmp_path / 'demo'), '--fmnist-root', fmnist, '--num-train', '16', '--num-val', '8',
            '--size', '32', '--splits-out', str(tmp_path / 'splits'), '--h5', '--h5-out', str(tmp_path / 'acdc'),
            '--slices-per-volume', '4']
    make_demo_data.main(args)
    return tmp_path, args


def test_volumes_are_gray_scenes_with_their_masks(made):
    tmp, _ = made
    with h5py.File(tmp / 'acdc' / 'data' / 'case001_frame01.h5') as f:
        image, label = f['image'][()], f['label'][()]
    assert image.shape == label.shape == (4, 32, 32) and image.dtype == np.float32 and label.dtype == np.uint8
    scene = np.asarray(Image.open(tmp / 'demo' / 'JPEGImages' / 'train_00005.jpg').convert('L'), np.float32) / 255
    np.testing.assert_allclose(image[1], scene)  # case 1 holds scenes 4..7
    assert (label[1] == np.asarray(Image.open(tmp / 'demo' / 'SegmentationClass' / 'train_00005.png'))).all()
    with h5py.File(tmp / 'acdc' / 'data' / 'slices' / 'case001_frame01_slice_2.h5') as f:
        np.testing.assert_allclose(f['image'][()], image[1])
    assert osp.isfile(tmp / 'acdc' / 'data' / 'valcase001_frame01.h5')
    assert not osp.exists(tmp / 'acdc' / 'data' / 'valcase002_frame01.h5')


def test_splits_and_datasets_read_them(made):
    tmp, _ = made
    register_all_modules()
    folder = tmp / 'splits' / 'demo_acdc'
    assert (folder / '1' / 'labeled.txt').read_text().split() == [
        f'data/slices/case000_frame01_slice_{k}.h5' for k in range(1, 5)]
    assert len((folder / '3' / 'unlabeled.txt').read_text().split()) == 4  # 4 cases: 3 labeled, 1 unlabeled
    assert not osp.exists(folder / '7')  # more cases than the data has
    val = DemoACDCDataset(data_root=str(tmp / 'acdc'), ann_file=str(folder / '1' / 'val.txt'), volumes=True,
                          pipeline=[])
    assert len(val) == 8 and val.get_data_info(5)['volume_id'] == 'valcase001_frame01'
    assert val.metainfo['classes'][1] == 't-shirt'


def test_second_run_is_a_no_op_and_bad_splits_are_caught(made, capsys):
    tmp, args = made
    before = osp.getmtime(tmp / 'acdc' / 'data' / 'case000_frame01.h5')
    make_demo_data.main(args)
    assert 'is up to date' in capsys.readouterr().out
    assert osp.getmtime(tmp / 'acdc' / 'data' / 'case000_frame01.h5') == before
    (tmp / 'splits' / 'demo_acdc' / '1' / 'labeled.txt').write_text('data/slices/case099_frame01_slice_1.h5\n')
    with pytest.raises(SystemExit, match='names 1 files not in'):
        make_demo_data.main(args)
