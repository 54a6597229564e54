"""The demo scene generator (densessl.utils.demo_scenes): Fashion-MNIST reading, scene composition, determinism,
atomic writes, the source scenes. (The dataset classes: tests/test_datasets/test_demo.py; the tool:
tests/test_tools/test_make_demo_data.py.)"""
import hashlib
import json
import os
import os.path as osp

import numpy as np
import pytest
from PIL import Image

from densessl.utils.demo_scenes import (DEMO_CLASSES, FMNIST_LABELS, SOURCE_CLASSES, SOURCE_FMNIST_LABELS,
                                        compose_scene, find_fmnist_root, generate_demo_dataset, read_idx)
from tests.helpers.demo_data import build_scenes, fake_fmnist, fake_items, write_idx


@pytest.fixture
def fmnist(tmp_path):
    return fake_fmnist(str(tmp_path / 'fmnist'))


def test_read_idx_gz_and_raw(fmnist):
    for part, n in (('train', 60), ('t10k', 30)):
        images, labels = read_idx(fmnist, part)
        assert images.shape == (n, 28, 28) and images.dtype == np.uint8 and labels.shape == (n, )
    assert set(read_idx(fmnist, 'train')[1].tolist()) == set(FMNIST_LABELS) | {3}


def test_read_idx_corrupt_and_missing(tmp_path, fmnist):
    bad = tmp_path / 'bad'
    bad.mkdir()
    with open(bad / 'train-images-idx3-ubyte', 'wb') as f:
        f.write(b'\x00' * 32)
    with open(bad / 'train-labels-idx1-ubyte', 'wb') as f:
        f.write((2049).to_bytes(4, 'big') + (1).to_bytes(4, 'big') + b'\x00')
    with pytest.raises(ValueError, match='magic'):
        read_idx(str(bad), 'train')
    with pytest.raises(FileNotFoundError, match='t10k-images-idx3-ubyte.*dataset-fashion-mnist'):
        read_idx(str(bad), 't10k')
    assert find_fmnist_root(fmnist) == fmnist


def test_compose_scene_mask_matches_items():
    rng = np.random.default_rng(3)
    items = np.zeros((8, 28, 28), np.uint8)
    items[:, 7:21, 7:21] = 255
    labels = np.array([FMNIST_LABELS[i % 4] for i in range(8)])
    by_class = {lb: np.flatnonzero(labels == lb) for lb in FMNIST_LABELS}
    seen = set()
    for _ in range(20):
        img, mask = compose_scene(rng, items, labels, by_class, size=64)
        assert img.shape == (64, 64, 3) and img.dtype == np.uint8 and mask.shape == (64, 64)
        assert mask.max() <= 4 and (mask > 0).any()
        seen |= set(np.unique(mask).tolist())
        # items are squares of half their box: every labelled pixel lies inside some pasted square, so the
        # labelled area is at most 4 items x (0.6 * 64 / 2)^2 pixels (+ bilinear rim)
        assert (mask > 0).sum() <= 4 * (0.6 * 64 / 2 + 2)**2
    assert seen == set(range(5))


def test_generator_deterministic_and_layout(tmp_path, fmnist):
    out_a, out_b = str(tmp_path / 'a'), str(tmp_path / 'b')
    params = generate_demo_dataset(out_a, fmnist_root=fmnist, num_train=6, num_val=3, size=48, seed=5)
    generate_demo_dataset(out_b, fmnist_root=fmnist, num_train=6, num_val=3, size=48, seed=5)
    assert params['classes'] == list(DEMO_CLASSES) and abs(sum(params['train_pixel_share'].values()) - 1) < 1e-3
    with open(osp.join(out_a, 'demo_params.json')) as f:
        assert json.load(f)['seed'] == 5
    train = open(osp.join(out_a, 'ImageSets/Segmentation/train.txt')).read().split()
    val = open(osp.join(out_a, 'ImageSets/Segmentation/val.txt')).read().split()
    assert train == [f'train_{i:05d}' for i in range(6)] and val == [f'val_{i:05d}' for i in range(3)]

    def digest(root, sub, name, ext):
        with open(osp.join(root, sub, name + ext), 'rb') as f:
            return hashlib.md5(f.read()).hexdigest()

    for name in train + val:
        assert digest(out_a, 'SegmentationClass', name, '.png') == digest(out_b, 'SegmentationClass', name, '.png')
        assert digest(out_a, 'JPEGImages', name, '.jpg') == digest(out_b, 'JPEGImages', name, '.jpg')
        img = Image.open(osp.join(out_a, 'JPEGImages', name + '.jpg'))
        mask = np.asarray(Image.open(osp.join(out_a, 'SegmentationClass', name + '.png')))
        assert img.size == (48, 48) and img.mode == 'RGB' and mask.shape == (48, 48) and mask.max() <= 4
    out_c = str(tmp_path / 'c')
    generate_demo_dataset(out_c, fmnist_root=fmnist, num_train=6, num_val=3, size=48, seed=6)
    assert any(
        digest(out_a, 'SegmentationClass', n, '.png') != digest(out_c, 'SegmentationClass', n, '.png') for n in train)


def test_generator_refuses_and_leaves_nothing(tmp_path, fmnist):
    out = str(tmp_path / 'demo')
    with pytest.raises(FileNotFoundError, match='Fashion-MNIST'):
        generate_demo_dataset(out, fmnist_root=str(tmp_path / 'nowhere'), num_train=2, num_val=1, size=32)
    assert not osp.exists(out)
    os.remove(osp.join(fmnist, 't10k-labels-idx1-ubyte'))  # fails half-way: after the training scenes
    with pytest.raises(FileNotFoundError, match='t10k-labels'):
        generate_demo_dataset(out, fmnist_root=fmnist, num_train=2, num_val=1, size=32)
    assert not osp.exists(out) and not [p for p in os.listdir(tmp_path) if p.startswith('.demo_tmp')]
    os.makedirs(out)
    with pytest.raises(FileExistsError, match='overwrite'):
        generate_demo_dataset(out, fmnist_root=fmnist, num_train=2, num_val=1, size=32)


def test_source_scenes_other_classes_other_backgrounds(tmp_path, monkeypatch):
    """``source=True``: the six non-demo Fashion-MNIST classes (mask values 0..6, read back through
    DemoSourceScenesDataset's 7 classes), and backgrounds from another stream than the demo's with the same seed."""
    from densessl.utils.checks import ensure_demo_data_for
    rng = np.random.default_rng(1)
    root = str(tmp_path / 'fm10')
    for part, n in (('train', 80), ('t10k', 40)):
        images, _ = fake_items(rng, n)
        write_idx(root, part, images, np.arange(n) % 10, gz=False)  # all ten Fashion-MNIST labels
    demo, src = str(tmp_path / 'demo'), str(tmp_path / 'src')
    generate_demo_dataset(demo, fmnist_root=root, num_train=20, num_val=2, size=40, seed=3)
    params = generate_demo_dataset(src, fmnist_root=root, num_train=20, num_val=2, size=40, seed=3, source=True)
    assert params['classes'] == list(SOURCE_CLASSES) and params['fmnist_labels'] == list(SOURCE_FMNIST_LABELS)
    assert len(params['train_pixel_share']) == 7
    values = set()
    for i in range(20):
        name = f'train_{i:05d}'
        values |= set(np.unique(np.asarray(Image.open(osp.join(src, 'SegmentationClass', name + '.png')))).tolist())
        a = np.asarray(Image.open(osp.join(demo, 'JPEGImages', name + '.jpg')), np.float32)
        b = np.asarray(Image.open(osp.join(src, 'JPEGImages', name + '.jpg')), np.float32)
        assert np.abs(a - b).mean() > 5  # not the demo's background with other items on it
    assert values <= set(range(7)) and max(values) > 4  # source class indices beyond the demo's 0..4
    ds = build_scenes('DemoSourceScenesDataset', src, 'train')
    assert len(ds) == 20 and ds.metainfo['classes'] == SOURCE_CLASSES
    assert int(ds[0]['data_samples'].gt_sem_seg.data.max()) <= 6
    # tools/train.py makes missing demo data on first use: the source type gets the source scenes
    missing = str(tmp_path / 'made')
    monkeypatch.setenv('DENSESSL_FMNIST_ROOT', root)
    source_cfg = dict(train_dataloader=dict(dataset=dict(type='DemoSourceScenesDataset', data_root=missing)))
    ensure_demo_data_for(source_cfg)
    with open(osp.join(missing, 'demo_params.json')) as f:
        assert json.load(f)['classes'] == list(SOURCE_CLASSES)


def test_stage_cache_keys_the_generator_source():
    """A cached demo stage is keyed by this module's source text (not its path): moving the file keeps old keys,
    editing it retrains the stage."""
    from densessl.engine.stage_cache import _demo_generator_digest
    from densessl.utils import demo_scenes
    with open(demo_scenes.__file__, 'rb') as f:
        assert _demo_generator_digest() == 'sha256:' + hashlib.sha256(f.read()).hexdigest()
