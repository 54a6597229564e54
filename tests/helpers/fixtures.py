"""Tiny copies of the real datasets' on-disk layouts, written into a temporary folder.

Each writer makes random images (a few dozen pixels) and valid masks in exactly the folder / file naming of the
real download (or of the converter's output, where said), so the dataset classes, converters and split tools are
tested on the layout they will meet. Every writer returns a dict describing what it wrote (roots, names, masks).
"""
import json
import os
import os.path as osp
import sys
from typing import Dict, List, Optional, Sequence

import numpy as np
from PIL import Image

# Cityscapes label ids of the 19 train ids, in train-id order (cityscapesscripts' labels.py)
CITYSCAPES_TRAIN_ID_TO_ID = (7, 8, 11, 12, 13, 17, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 31, 32, 33)
# label ids whose train id is 255 (void / not evaluated)
CITYSCAPES_VOID_IDS = (0, 1, 2, 3, 4, 5, 6, 9, 10, 14, 15, 16, 18, 29, 30)


def voc_colormap(n: int = 256) -> np.ndarray:
    """The Pascal VOC palette (``bitget`` colour map of the devkit), ``(n, 3)`` uint8."""
    cmap = np.zeros((n, 3), np.uint8)
    for i in range(n):
        r = g = b = 0
        c = i
        for j in range(8):
            r |= ((c >> 0) & 1) << (7 - j)
            g |= ((c >> 1) & 1) << (7 - j)
            b |= ((c >> 2) & 1) << (7 - j)
            c >>= 3
        cmap[i] = (r, g, b)
    return cmap


def _mkdir(*parts: str) -> str:
    path = osp.join(*parts)
    os.makedirs(path, exist_ok=True)
    return path


def _write_lines(path: str, names: Sequence[str]) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(''.join(f'{n}\n' for n in names))


def _random_image(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    return rng.integers(0, 256, (h, w, 3), dtype=np.uint8)


def _random_mask(rng: np.random.Generator, h: int, w: int, num_classes: int, ignore: bool = True) -> np.ndarray:
    """Blocky masks with every value in [0, num_classes) plausible, plus a 255 border when ``ignore``."""
    mask = rng.integers(0, num_classes, (h // 4 + 1, w // 4 + 1), dtype=np.uint8)
    mask = np.kron(mask, np.ones((4, 4), np.uint8))[:h, :w]
    if ignore:
        mask[0, :] = 255
    return np.ascontiguousarray(mask)


def save_palette_png(path: str, mask: np.ndarray) -> None:
    """Save an index mask as a VOC-style palette (mode ``P``) PNG."""
    img = Image.fromarray(mask, mode='P')
    img.putpalette(voc_colormap().flatten().tolist())
    img.save(path)


def _voc_names(n: int, start: int = 0) -> List[str]:
    return [f'{2007 + (i % 5)}_{i:06d}' for i in range(start, start + n)]


def write_voc_raw(root: str,
                  n_voc_train: int = 6,
                  n_voc_val: int = 3,
                  n_sbd_only: int = 5,
                  size=(24, 32),
                  seed: int = 0) -> Dict:
    """Pascal VOC 2012 and SBD as extracted from their archives, before ``tools/dataset_converters/voc_aug.py``.

    Layout::

        root/VOCdevkit/VOC2012/JPEGImages/<name>.jpg                 every image (VOC2012 holds SBD's images too)
        root/VOCdevkit/VOC2012/SegmentationClass/<name>.png          palette PNGs, VOC train + val only
        root/VOCdevkit/VOC2012/ImageSets/Segmentation/{train,val,trainval}.txt
        root/VOCdevkit/VOCaug/dataset/cls/<name>.mat                 SBD: struct GTcls.Segmentation (uint8)
        root/VOCdevkit/VOCaug/dataset/img/<name>.jpg
        root/VOCdevkit/VOCaug/dataset/{train,val}.txt

    SBD covers the first two VOC train images (in SBD train), the first VOC val image (in SBD val: it must
    stay out of ``train_aug``) and ``n_sbd_only`` images that VOC's segmentation lists do not have.

    Returns:
        dict: ``devkit``, ``aug``, ``voc_train``, ``voc_val``, ``sbd_train``, ``sbd_val``, ``train_aug`` (the
        expected sorted train_aug list), ``voc_masks`` / ``sbd_masks`` (name -> index mask).
    """
    from scipy import sparse
    from scipy.io import savemat

    rng = np.random.default_rng(seed)
    h, w = size
    devkit = osp.join(root, 'VOCdevkit')
    voc = osp.join(devkit, 'VOC2012')
    aug = osp.join(devkit, 'VOCaug')
    jpeg = _mkdir(voc, 'JPEGImages')
    seg_cls = _mkdir(voc, 'SegmentationClass')
    cls_dir = _mkdir(aug, 'dataset', 'cls')
    sbd_img = _mkdir(aug, 'dataset', 'img')
    _mkdir(aug, 'dataset', 'inst')

    voc_train = _voc_names(n_voc_train)
    voc_val = _voc_names(n_voc_val, start=n_voc_train)
    sbd_only = _voc_names(n_sbd_only, start=n_voc_train + n_voc_val)
    sbd_train = voc_train[:2] + sbd_only[:n_sbd_only // 2 + 1]
    sbd_val = voc_val[:1] + sbd_only[n_sbd_only // 2 + 1:]

    voc_masks, sbd_masks = {}, {}
    for name in voc_train + voc_val + sbd_only:
        img = _random_image(rng, h, w)
        Image.fromarray(img).save(osp.join(jpeg, name + '.jpg'), quality=95)
    for name in voc_train + voc_val:
        voc_masks[name] = _random_mask(rng, h, w, 21, ignore=True)
        save_palette_png(osp.join(seg_cls, name + '.png'), voc_masks[name])
    for name in sbd_train + sbd_val:
        mask = _random_mask(rng, h, w, 21, ignore=False)
        sbd_masks[name] = mask
        present = np.unique(mask[mask > 0]).astype(np.uint8).reshape(-1, 1)
        boundaries = np.empty((20, 1), dtype=object)
        for k in range(20):
            boundaries[k, 0] = sparse.csc_matrix((h, w), dtype=bool)
        savemat(osp.join(cls_dir, name + '.mat'),
                {'GTcls': {'Segmentation': mask, 'Boundaries': boundaries, 'CategoriesPresent': present}})
        os.link(osp.join(jpeg, name + '.jpg'), osp.join(sbd_img, name + '.jpg'))
    seg_sets = osp.join(voc, 'ImageSets', 'Segmentation')
    _write_lines(osp.join(seg_sets, 'train.txt'), voc_train)
    _write_lines(osp.join(seg_sets, 'val.txt'), voc_val)
    _write_lines(osp.join(seg_sets, 'trainval.txt'), voc_train + voc_val)
    _write_lines(osp.join(aug, 'dataset', 'train.txt'), sbd_train)
    _write_lines(osp.join(aug, 'dataset', 'val.txt'), sbd_val)
    train_aug = sorted(set(voc_train + sbd_train + sbd_val) - set(voc_val))
    return dict(devkit=devkit, voc_root=voc, aug=aug, voc_train=voc_train, voc_val=voc_val, sbd_train=sbd_train,
                sbd_val=sbd_val, train_aug=train_aug, voc_masks=voc_masks, sbd_masks=sbd_masks)


def write_voc_converted(root: str, n_train: int = 8, n_val: int = 3, size=(24, 32), seed: int = 0) -> Dict:
    """Pascal VOC 2012 + SBD after the converter: the layout :class:`PascalVOCAugDataset` reads.

    Layout::

        root/VOCdevkit/VOC2012/JPEGImages/<name>.jpg
        root/VOCdevkit/VOC2012/SegmentationClass/<name>.png       palette PNGs (train + val)
        root/VOCdevkit/VOC2012/SegmentationClassAug/<name>.png    single-channel index PNGs (train_aug)
        root/VOCdevkit/VOC2012/ImageSets/Segmentation/{train_aug,val}.txt

    Returns:
        dict: ``data_root``, ``train_aug`` and ``val`` name lists, ``masks`` (name -> index mask).
    """
    rng = np.random.default_rng(seed)
    h, w = size
    data_root = osp.join(root, 'VOCdevkit', 'VOC2012')
    jpeg = _mkdir(data_root, 'JPEGImages')
    seg_cls = _mkdir(data_root, 'SegmentationClass')
    seg_aug = _mkdir(data_root, 'SegmentationClassAug')
    train = _voc_names(n_train)
    val = _voc_names(n_val, start=n_train)
    masks = {}
    for name in train + val:
        Image.fromarray(_random_image(rng, h, w)).save(osp.join(jpeg, name + '.jpg'), quality=95)
        masks[name] = _random_mask(rng, h, w, 21)
        save_palette_png(osp.join(seg_cls, name + '.png'), masks[name])
    for name in train:
        Image.fromarray(masks[name]).save(osp.join(seg_aug, name + '.png'))
    seg_sets = osp.join(data_root, 'ImageSets', 'Segmentation')
    _write_lines(osp.join(seg_sets, 'train_aug.txt'), train)
    _write_lines(osp.join(seg_sets, 'val.txt'), val)
    return dict(data_root=data_root, train_aug=train, val=val, masks=masks)


def cityscapes_train_ids_to_label_ids(train_ids: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A ``*_labelIds`` mask whose train ids are ``train_ids`` (void pixels get a random void label id)."""
    ids = np.zeros_like(train_ids)
    for t, i in enumerate(CITYSCAPES_TRAIN_ID_TO_ID):
        ids[train_ids == t] = i
    void = train_ids == 255
    ids[void] = rng.choice(CITYSCAPES_VOID_IDS, size=int(void.sum()))
    return ids


def write_cityscapes(root: str,
                     cities: Optional[Dict[str, Sequence[str]]] = None,
                     per_city: int = 3,
                     size=(16, 32),
                     with_train_ids: bool = True,
                     seed: int = 0) -> Dict:
    """Cityscapes ``leftImg8bit`` + ``gtFine`` as extracted (and, with ``with_train_ids``, converted).

    Layout (``root = data/cityscapes``)::

        root/leftImg8bit/<split>/<city>/<city>_<seq>_<frame>_leftImg8bit.png
        root/gtFine/<split>/<city>/<city>_<seq>_<frame>_gtFine_{labelIds,instanceIds,color}.png, _polygons.json
        root/gtFine/<split>/<city>/<city>_<seq>_<frame>_gtFine_labelTrainIds.png   (with_train_ids)

    Returns:
        dict: ``data_root``, ``names`` (split -> sorted ``<city>/<stem>`` names), ``train_ids`` (name -> mask),
        ``label_ids`` (name -> mask).
    """
    rng = np.random.default_rng(seed)
    cities = cities or {'train': ['aachen', 'bochum'], 'val': ['frankfurt']}
    h, w = size
    names, train_ids, label_ids = {}, {}, {}
    for split, city_list in cities.items():
        names[split] = []
        for city in city_list:
            img_dir = _mkdir(root, 'leftImg8bit', split, city)
            gt_dir = _mkdir(root, 'gtFine', split, city)
            for k in range(per_city):
                stem = f'{city}_{k:06d}_{19 + 10 * k:06d}'
                name = f'{city}/{stem}'
                names[split].append(name)
                Image.fromarray(_random_image(rng, h, w)).save(osp.join(img_dir, stem + '_leftImg8bit.png'))
                tid = _random_mask(rng, h, w, 19)
                lid = cityscapes_train_ids_to_label_ids(tid, rng)
                train_ids[name], label_ids[name] = tid, lid
                Image.fromarray(lid).save(osp.join(gt_dir, stem + '_gtFine_labelIds.png'))
                Image.fromarray(lid.astype(np.uint16) * 1000).save(osp.join(gt_dir, stem + '_gtFine_instanceIds.png'))
                Image.fromarray(_random_image(rng, h, w)).convert('RGBA').save(
                    osp.join(gt_dir, stem + '_gtFine_color.png'))
                with open(osp.join(gt_dir, stem + '_gtFine_polygons.json'), 'w') as f:
                    json.dump({'imgHeight': h, 'imgWidth': w, 'objects': []}, f)
                if with_train_ids:
                    Image.fromarray(tid).save(osp.join(gt_dir, stem + '_gtFine_labelTrainIds.png'))
        names[split].sort()
    return dict(data_root=root, names=names, train_ids=train_ids, label_ids=label_ids)


ISIC_PARTS = ('Training', 'Validation', 'Test_v2')


def write_isic2017(root: str,
                   counts: Optional[Dict[str, int]] = None,
                   size=(24, 32),
                   converted: bool = True,
                   seed: int = 0) -> Dict:
    """ISIC 2017 task 1 as extracted (and, with ``converted``, after ``tools/dataset_converters/isic2017.py``).

    Layout (``root = data/ISIC2017``), for each part in ``Training``, ``Validation``, ``Test_v2``::

        root/ISIC-2017_<part>_Data/ISIC_<7 digits>.jpg, ISIC_<7 digits>_superpixels.png, *_metadata.csv
        root/ISIC-2017_<part>_Part1_GroundTruth/ISIC_<7 digits>_segmentation.png        0/255
        root/ISIC-2017_<part>_Part1_GroundTruth_01/ISIC_<7 digits>_segmentation.png     0/1 (converted)

    Returns:
        dict: ``data_root``, ``names`` (part -> sorted ids), ``masks`` (id -> 0/1 mask).
    """
    rng = np.random.default_rng(seed)
    counts = counts or {'Training': 6, 'Validation': 2, 'Test_v2': 3}
    h, w = size
    names, masks = {}, {}
    next_id = 0
    for part, n in counts.items():
        data_dir = _mkdir(root, f'ISIC-2017_{part}_Data')
        gt_dir = _mkdir(root, f'ISIC-2017_{part}_Part1_GroundTruth')
        names[part] = []
        rows = ['image_id,age_approximate,sex']
        for _ in range(n):
            name = f'ISIC_{next_id:07d}'
            next_id += 7
            names[part].append(name)
            rows.append(f'{name},55,female')
            Image.fromarray(_random_image(rng, h, w)).save(osp.join(data_dir, name + '.jpg'), quality=95)
            Image.fromarray(_random_image(rng, h, w)).save(osp.join(data_dir, name + '_superpixels.png'))
            mask = np.zeros((h, w), np.uint8)
            y0, x0 = rng.integers(0, h // 2), rng.integers(0, w // 2)
            mask[y0:y0 + h // 2, x0:x0 + w // 2] = 1
            masks[name] = mask
            Image.fromarray(mask * 255).save(osp.join(gt_dir, name + '_segmentation.png'))
            if converted:
                out_dir = _mkdir(root, f'ISIC-2017_{part}_Part1_GroundTruth_01')
                Image.fromarray(mask).save(osp.join(out_dir, name + '_segmentation.png'))
        with open(osp.join(data_dir, f'ISIC-2017_{part}_Data_metadata.csv'), 'w') as f:
            f.write('\n'.join(rows) + '\n')
    return dict(data_root=root, names=names, masks=masks)


def write_demo_layout(root: str, n_train: int = 40, n_val: int = 4, size=(24, 32), num_classes: int = 5,
                      seed: int = 0) -> Dict:
    """The demo scenes' VOC layout (``JPEGImages``, ``SegmentationClass``, ``ImageSets/Segmentation``).

    Returns:
        dict: ``data_root``, ``train`` and ``val`` name lists.
    """
    rng = np.random.default_rng(seed)
    h, w = size
    jpeg = _mkdir(root, 'JPEGImages')
    seg = _mkdir(root, 'SegmentationClass')
    train = [f'train_{i:05d}' for i in range(n_train)]
    val = [f'val_{i:05d}' for i in range(n_val)]
    for name in train + val:
        Image.fromarray(_random_image(rng, h, w)).save(osp.join(jpeg, name + '.jpg'))
        Image.fromarray(_random_mask(rng, h, w, num_classes, ignore=False)).save(osp.join(seg, name + '.png'))
    _write_lines(osp.join(root, 'ImageSets', 'Segmentation', 'train.txt'), train)
    _write_lines(osp.join(root, 'ImageSets', 'Segmentation', 'val.txt'), val)
    return dict(data_root=root, train=train, val=val)


REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def load_tool(relpath: str):
    """Import a script of ``tools/`` (e.g. ``'tools/dataset_converters/voc_aug.py'``) under a unique module name."""
    import importlib.util
    path = osp.join(REPO_ROOT, relpath)
    name = 'densessl_tool_' + relpath.replace('/', '_').replace('.py', '')
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # picklable functions (multiprocessing workers)
    spec.loader.exec_module(module)
    return module
