"""The demo dataset classes on generated scenes: DemoScenesDataset reads them through the pipeline, a missing root
names the tool, and the committed demo split files are what tools/make_splits.py writes for the generated names."""
import os.path as osp

import numpy as np
import pytest
from PIL import Image

from densessl.utils.demo_scenes import DEMO_CLASSES, generate_demo_dataset
from tests.helpers.demo_data import build_scenes, fake_fmnist
from tests.helpers.fixtures import REPO_ROOT


@pytest.fixture
def fmnist(tmp_path):
    return fake_fmnist(str(tmp_path / 'fmnist'))


def test_dataset_and_pipeline_read_the_scenes(tmp_path, fmnist):
    root = str(tmp_path / 'demo')
    generate_demo_dataset(root, fmnist_root=fmnist, num_train=4, num_val=2, size=40)
    ds = build_scenes('DemoScenesDataset', root, 'val')
    assert len(ds) == 2 and ds.metainfo['classes'] == DEMO_CLASSES
    sample = ds[0]
    gt = sample['data_samples'].gt_sem_seg.data
    assert tuple(sample['inputs'].shape) == (3, 40, 40) and tuple(gt.shape) == (1, 40, 40)
    expected = np.asarray(Image.open(osp.join(root, 'SegmentationClass', 'val_00000.png')))
    np.testing.assert_array_equal(gt[0].numpy(), expected)
    # a 255 pixel is out of range for the demo masks (no ignore label)
    bad = expected.copy()
    bad[0, 0] = 255
    Image.fromarray(bad).save(osp.join(root, 'SegmentationClass', 'val_00000.png'))
    with pytest.raises(Exception, match='val_00000.png'):
        ds[0]


def test_missing_root_names_the_tool(tmp_path):
    from densessl.datasets import DemoScenesDataset
    with pytest.raises(FileNotFoundError, match='make_demo_data.py'):
        DemoScenesDataset(data_root=str(tmp_path / 'none'), data_prefix=dict(img_path='JPEGImages'),
                          ann_file='', with_label=False)


def test_committed_demo_splits_match_the_generator():
    """data/splits/demo holds what tools/make_splits.py writes for the 1000 generated training names."""
    from densessl.datasets.splits import make_split
    names = [f'train_{i:05d}' for i in range(1000)]
    for setting, frac in (('1pct', 0.01), ('2pct', 0.02), ('5pct', 0.05), ('10pct', 0.10)):
        labeled, unlabeled = make_split(names, fraction=frac, seed=0)
        folder = osp.join(REPO_ROOT, 'data', 'splits', 'demo', setting)
        assert open(osp.join(folder, 'labeled.txt')).read().split() == list(labeled)
        assert open(osp.join(folder, 'unlabeled.txt')).read().split() == list(unlabeled)
