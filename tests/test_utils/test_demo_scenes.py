"""The embedded demo data: Fashion-MNIST reading, scene composition, the generator, the dataset and the tool."""
import gzip
import hashlib
import json
import os
import os.path as osp

import numpy as np
import pytest
from PIL import Image

from densessl.datasets.demo_scenes import (DEMO_CLASSES, FMNIST_LABELS, compose_scene, find_fmnist_root,
                                           generate_demo_dataset, read_idx)
from tests.helpers.fixtures import REPO_ROOT, load_tool


def _write_idx(root, part, images, labels, gz):
    os.makedirs(root, exist_ok=True)
    n, h, w = images.shape
    img = (2051).to_bytes(4, 'big') + b''.join(v.to_bytes(4, 'big') for v in (n, h, w)) + images.tobytes()
    lab = (2049).to_bytes(4, 'big') + n.to_bytes(4, 'big') + labels.astype(np.uint8).tobytes()
    for name, raw in ((f'{part}-images-idx3-ubyte', img), (f'{part}-labels-idx1-ubyte', lab)):
        if gz:
            with gzip.open(osp.join(root, name + '.gz'), 'wb') as f:
                f.write(raw)
        else:
            with open(osp.join(root, name), 'wb') as f:
                f.write(raw)


def _fake_items(rng, n):
    """Items: a bright filled square (varying size) on black, like a Fashion-MNIST silhouette."""
    images = np.zeros((n, 28, 28), np.uint8)
    for i in range(n):
        s = int(rng.integers(8, 14))
        images[i, 14 - s:14 + s, 14 - s:14 + s] = rng.integers(120, 256)
    labels = np.array([FMNIST_LABELS[i % 4] if i % 5 else 3 for i in range(n)])  # some non-demo labels
    return images, labels


@pytest.fixture
def fmnist(tmp_path):
    rng = np.random.default_rng(0)
    root = str(tmp_path / 'fmnist')
    for part, n in (('train', 60), ('t10k', 30)):
        images, labels = _fake_items(rng, n)
        _write_idx(root, part, images, labels, gz=part == 'train')  # one gzipped, one raw: both readable
    return root


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


def _build_scenes(dataset_type, root, part):
    """The dataset of one part of a generated scene folder, read with masks."""
    from densessl.registry import DATASETS
    from densessl.utils import register_all_modules
    register_all_modules()
    return DATASETS.build(
        dict(type=dataset_type, data_root=root,
             data_prefix=dict(img_path='JPEGImages', seg_map_path='SegmentationClass'),
             ann_file=f'ImageSets/Segmentation/{part}.txt',
             pipeline=[dict(type='LoadCheckedImageFromFile'), dict(type='LoadCheckedAnnotations'),
                       dict(type='PackSegInputs')]))


def test_dataset_and_pipeline_read_the_scenes(tmp_path, fmnist):
    root = str(tmp_path / 'demo')
    generate_demo_dataset(root, fmnist_root=fmnist, num_train=4, num_val=2, size=40)
    ds = _build_scenes('DemoScenesDataset', root, 'val')
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


def test_tool_makes_data_and_splits_then_is_idempotent(tmp_path, fmnist, capsys):
    tool = load_tool('tools/misc/make_demo_data.py')
    out, splits = str(tmp_path / 'demo'), str(tmp_path / 'splits')
    args = ['--out', out, '--fmnist-root', fmnist, '--num-train', '100', '--num-val', '2', '--size', '32',
            '--splits-out', splits]
    tool.main(args)
    for setting, n in (('1pct', 1), ('2pct', 2), ('5pct', 5), ('10pct', 10)):
        labeled = open(osp.join(splits, 'demo', setting, 'labeled.txt')).read().split()
        unlabeled = open(osp.join(splits, 'demo', setting, 'unlabeled.txt')).read().split()
        assert len(labeled) == n and len(unlabeled) == 100 - n and not set(labeled) & set(unlabeled)
    mtime = os.path.getmtime(osp.join(out, 'demo_params.json'))
    tool.main(args)
    assert 'up to date' in capsys.readouterr().out
    assert os.path.getmtime(osp.join(out, 'demo_params.json')) == mtime
    with pytest.raises(SystemExit, match='other parameters'):
        tool.main(args[:-4] + ['--size', '40', '--splits-out', splits])


def test_committed_demo_splits_match_the_generator():
    """data/splits/demo holds what tools/make_splits.py writes for the 1000 generated training names."""
    from densessl.datasets.splits import make_split
    names = [f'train_{i:05d}' for i in range(1000)]
    for setting, frac in (('1pct', 0.01), ('2pct', 0.02), ('5pct', 0.05), ('10pct', 0.10)):
        labeled, unlabeled = make_split(names, fraction=frac, seed=0)
        folder = osp.join(REPO_ROOT, 'data', 'splits', 'demo', setting)
        assert open(osp.join(folder, 'labeled.txt')).read().split() == list(labeled)
        assert open(osp.join(folder, 'unlabeled.txt')).read().split() == list(unlabeled)


def test_source_scenes_other_classes_other_backgrounds(tmp_path, monkeypatch):
    """``source=True``: the six non-demo Fashion-MNIST classes (mask values 0..6, read back through
    DemoSourceScenesDataset's 7 classes), and backgrounds from another stream than the demo's with the same seed."""
    from densessl.datasets.demo_scenes import SOURCE_CLASSES, SOURCE_FMNIST_LABELS
    from densessl.utils.checks import ensure_demo_data_for
    rng = np.random.default_rng(1)
    root = str(tmp_path / 'fm10')
    for part, n in (('train', 80), ('t10k', 40)):
        images, _ = _fake_items(rng, n)
        _write_idx(root, part, images, np.arange(n) % 10, gz=False)  # all ten Fashion-MNIST labels
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
    ds = _build_scenes('DemoSourceScenesDataset', src, 'train')
    assert len(ds) == 20 and ds.metainfo['classes'] == SOURCE_CLASSES
    assert int(ds[0]['data_samples'].gt_sem_seg.data.max()) <= 6
    # tools/train.py makes missing demo data on first use: the source type gets the source scenes
    missing = str(tmp_path / 'made')
    monkeypatch.setenv('DENSESSL_FMNIST_ROOT', root)
    source_cfg = dict(train_dataloader=dict(dataset=dict(type='DemoSourceScenesDataset', data_root=missing)))
    ensure_demo_data_for(source_cfg)
    with open(osp.join(missing, 'demo_params.json')) as f:
        assert json.load(f)['classes'] == list(SOURCE_CLASSES)
