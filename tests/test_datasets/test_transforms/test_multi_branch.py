"""MultiBranch + StrongPhotometricAug: shared geometry, photometric-only student view, unlabeled without masks."""
import os

import numpy as np
import pytest
import torch
from mmengine.dataset import Compose
from PIL import Image

from densessl.datasets.base import SplitSegDataset
from densessl.datasets.transforms.multi_branch import MultiBranch
from densessl.datasets.transforms.strong_aug import StrongPhotometricAug
from densessl.utils import register_all_modules

BRANCHES = ['sup', 'unsup_teacher', 'unsup_student']


@pytest.fixture(scope='module', autouse=True)
def _scope():
    register_all_modules()


def _square_image(h=48, w=64):
    """Black image with a white rectangle off-centre and a grey stripe: any flip / crop / resize moves them."""
    img = np.zeros((h, w, 3), np.uint8)
    img[5:20, 8:30] = 255
    img[30:34, :] = 128
    return img


def _unlabeled_pipeline(strong):
    return [
        dict(type='RandomResize', scale=(64, 48), ratio_range=(0.7, 1.6), keep_ratio=True),
        dict(type='RandomCrop', crop_size=(32, 32)),
        dict(type='RandomFlip', prob=0.5, direction=['horizontal', 'vertical']),
        dict(type='MultiBranch', branch_field=BRANCHES,
             unsup_teacher=[dict(type='PackSegInputs')],
             unsup_student=[strong, dict(type='PackSegInputs')]),
    ]


def _is_pixelwise_function(src, dst):
    """Every pixel colour of ``src`` maps to one colour of ``dst``: ``dst`` is ``src`` recoloured, not moved."""
    s = src.flatten(1).T.long()
    d = dst.flatten(1).T.long()
    pairs = torch.unique(torch.cat([s, d], 1), dim=0)
    return len(pairs) == len(torch.unique(s, dim=0))


def test_views_share_the_geometry_pixel_for_pixel():
    strong = dict(type='StrongPhotometricAug',
                  transforms=[dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.4, hue=0.1, p=1.0),
                              dict(type='ToGray', p=0.5)])
    pipeline = Compose(_unlabeled_pipeline(strong))
    np.random.seed(0)
    differed = 0
    for _ in range(20):
        out = pipeline(dict(img=_square_image(), img_shape=(48, 64), ori_shape=(48, 64), seg_fields=[]))
        weak, stu = out['inputs']['unsup_teacher'], out['inputs']['unsup_student']
        assert out['inputs']['sup'] is None and out['data_samples']['sup'] is None
        assert weak.shape == stu.shape == (3, 32, 32)
        differed += int(not torch.equal(weak, stu))
        # photometric changes only: equal colours in the teacher's view stay equal in the student's
        assert _is_pixelwise_function(weak, stu)
        # (a moved student view would not be: the black and white regions would overlap)
        assert not _is_pixelwise_function(weak, torch.flip(stu, [1, 2]))
        assert 'gt_sem_seg' not in out['data_samples']['unsup_student']
        assert out['data_samples']['unsup_teacher'].img_shape == out['data_samples']['unsup_student'].img_shape
    assert differed >= 15  # the student view really is augmented


def test_strong_aug_is_reproducible_under_numpy_seed_and_refuses_geometry():
    aug = StrongPhotometricAug()
    img = np.random.default_rng(0).integers(0, 255, (16, 16, 3), dtype=np.uint8)
    np.random.seed(5)
    a = [aug(dict(img=img.copy()))['img'] for _ in range(3)]
    np.random.seed(5)
    b = [aug(dict(img=img.copy()))['img'] for _ in range(3)]
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(a[0], a[1])
    with pytest.raises(ValueError, match='HorizontalFlip'):
        StrongPhotometricAug(transforms=[dict(type='HorizontalFlip', p=0.5)])
    with pytest.raises(ValueError, match='RandomCrop'):
        StrongPhotometricAug(transforms=[dict(type='OneOf', transforms=[dict(type='Blur'),
                                                                         dict(type='RandomCrop', height=4, width=4)])])


def test_labeled_branch_packs_the_mask():
    mb = MultiBranch(branch_field=BRANCHES, sup=[dict(type='PackSegInputs')])
    res = dict(img=_square_image(), img_shape=(48, 64), ori_shape=(48, 64), gt_seg_map=np.ones((48, 64), np.uint8),
               seg_fields=['gt_seg_map'])
    out = mb(res)
    assert out['inputs']['unsup_teacher'] is None
    assert out['data_samples']['sup'].gt_sem_seg.data.shape == (1, 48, 64)


def test_multibranch_errors():
    with pytest.raises(ValueError, match='not in branch_field'):
        MultiBranch(branch_field=['sup'], unsup=[dict(type='PackSegInputs')])
    with pytest.raises(ValueError, match='at least one'):
        MultiBranch(branch_field=BRANCHES)
    mb = MultiBranch(branch_field=BRANCHES, sup=[dict(type='RandomFlip', prob=0.0)])
    with pytest.raises(KeyError, match='packing'):
        mb(dict(img=_square_image(), img_shape=(48, 64), seg_fields=[]))


def test_unlabeled_split_runs_without_any_mask_file(tmp_path):
    img_dir = tmp_path / 'images'
    img_dir.mkdir()
    for i in range(3):
        Image.fromarray(_square_image()).save(img_dir / f'u{i}.jpg')
    (tmp_path / 'unlabeled.txt').write_text('u0\nu1\nu2\n')
    ds = SplitSegDataset(
        ann_file=str(tmp_path / 'unlabeled.txt'), data_root=str(tmp_path), data_prefix=dict(img_path='images'),
        img_suffix='.jpg', with_label=False, metainfo=dict(classes=('a', 'b')),
        pipeline=[dict(type='LoadImageFromFile')] + _unlabeled_pipeline(dict(type='StrongPhotometricAug')))
    assert not os.path.exists(tmp_path / 'masks')
    for i in range(len(ds)):
        item = ds[i]
        assert item['inputs']['unsup_student'].shape == (3, 32, 32)
        assert 'gt_sem_seg' not in item['data_samples']['unsup_teacher']
