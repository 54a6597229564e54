"""README "Your own data" end to end: a generated folder in the ISIC form (images/*.jpg, masks/*_segmentation.png,
0/255) -> tools/make_splits.py --folder -> the template config with its three lines changed -> tools/train.py
(a few iterations) -> tools/test.py with the per-class report and overlay images."""
import csv
import json
import os.path as osp
import sys

import numpy as np
from PIL import Image

from tests.helpers.fixtures import REPO_ROOT, load_tool
from tests.helpers.medical import write_binary_folder

sys.path.insert(0, osp.join(REPO_ROOT, 'tools'))
import test as test_tool  # noqa: E402
import train as train_tool  # noqa: E402

make_splits = load_tool('tools/make_splits.py')
TEMPLATE = osp.join(REPO_ROOT, 'configs', 'custom', 'cutmix_r18-d16_1xb16-10k_custom-256x256.py')
FAST = ['train_cfg.max_iters=2', 'train_cfg.val_interval=100', 'train_cfg.val_begin=100',
        'default_hooks.checkpoint.interval=2',
        'train_dataloader.batch_size=4', 'train_dataloader.sampler.batch_size=4']
for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
    FAST += [f'{loader}.num_workers=0', f'{loader}.persistent_workers=False']


def _user_config(tmp_path, data_root, split):
    """What the README asks: copy the template and change its three lines (and, outside configs/, point the
    _base_ files at the repository)."""
    text = open(TEMPLATE).read()
    text = text.replace("data_root = 'data/my_lesions'", f'data_root = {data_root!r}')
    text = text.replace("classes = ('background', 'lesion')", "classes = ('background', 'polyp')")
    text = text.replace("split = 'data/splits/my_lesions'", f'split = {split!r}')
    text = text.replace("'../_base_/", f"'{REPO_ROOT}/configs/_base_/")
    path = tmp_path / 'my_polyps.py'
    path.write_text(text)
    return str(path)


def test_folder_data_trains_and_reports(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # relative paths, as the README's commands (and short config lines: see below)
    data = write_binary_folder(osp.join('data', 'my_polyps'), n=12, mask_suffix='_segmentation.png',
                               name_fmt='ISIC_{:07d}')
    make_splits.main(['--folder', 'data/my_polyps/images', '--ann-dir', 'data/my_polyps/masks', '--num', '4',
                      '--val-num', '3', '--out', 'splits'])
    split = osp.join('splits', 'my_polyps')
    # MMEngine pretty-prints the config (yapf) four times per run: long absolute paths repeated in every dataset
    # dict make that take seconds each, relative ones do not
    cfg = _user_config(tmp_path, 'data/my_polyps', split)
    train_tool.main([cfg, '--work-dir', 'work', '--cfg-options'] + FAST)
    ckpt = osp.join('work', 'iter_2.pth')
    assert osp.isfile(ckpt)
    out = str(tmp_path / 'results' / 'metrics.json')
    metrics = test_tool.main([cfg, ckpt, '--work-dir', 'test', '--out', out, '--show-dir', 'vis', '--cfg-options']
                             + FAST)
    assert 0 <= metrics['mIoU'] <= 100 and 'per_image/mHD95' in metrics and metrics['per_image/num_volumes'] == 3

    with open(str(tmp_path / 'results' / 'metrics_per_class.json')) as f:
        rows = json.load(f)
    assert [r['class'] for r in rows] == ['background', 'polyp']
    assert set(rows[1]) >= {'IoU', 'Dice', 'Acc', 'HD95', 'Dice (VolumeMetric/per_image)'}
    assert rows[0]['HD95'] is None  # background: pooled IoU / Dice only
    with open(str(tmp_path / 'results' / 'metrics_per_class.csv')) as f:
        table = list(csv.reader(f))
    assert table[0][:4] == ['class', 'IoU', 'Dice', 'Acc'] and table[2][0] == 'polyp'
    assert float(table[2][1]) == rows[1]['IoU']
    per_image = list(csv.reader(open(str(tmp_path / 'results' / 'metrics_per_volume.csv'))))
    val_names = open(osp.join(split, 'val.txt')).read().split()
    assert sorted(r[0] for r in per_image[1:]) == sorted(osp.join(data['img_dir'], n + '.jpg') for n in val_names)
    assert all(0 <= float(r[2]) <= 100 and float(r[3]) >= 0 for r in per_image[1:])  # Dice %, HD95 pixels

    for name in val_names:  # image | ground truth | prediction, at the image's size
        panel = np.array(Image.open(str(tmp_path / 'vis' / (name + '.png'))))
        assert panel.shape == (40, 3 * 48, 3)
        gt = data['masks'][name].astype(bool)
        image, drawn_gt = panel[:, :48].astype(int), panel[:, 48:96].astype(int)
        assert (drawn_gt[~gt] == image[~gt]).all() and (drawn_gt[gt] != image[gt]).any(axis=-1).all()
