"""Tiny copies of the medical layouts (ACDC h5, ISIC 2018, Kvasir-SEG, a plain folder), written into a temp folder.

The images are small and carry their masks' structure (a bright disc / square on noise), so a few training
iterations learn something and evaluation has every class present.
"""
import os
import os.path as osp
from typing import Dict, Sequence

import numpy as np
from PIL import Image

from densessl.datasets.acdc import write_h5_layout


def _shapes(rng: np.random.Generator, h: int, w: int, num_classes: int):
    """An image in [0, 1] and a mask with one blob per foreground class (every class present)."""
    yy, xx = np.mgrid[:h, :w]
    img = rng.random((h, w)) * 0.2
    mask = np.zeros((h, w), np.uint8)
    for c in range(1, num_classes):
        cy, cx = rng.integers(h // 4, 3 * h // 4), rng.integers(w // 4, 3 * w // 4)
        r = max(2, min(h, w) // (3 + c))
        blob = (yy - cy)**2 + (xx - cx)**2 <= r * r
        mask[blob] = c
        img[blob] = 0.3 + 0.2 * c
    return img.astype(np.float32), mask


def write_acdc(root: str, cases: Sequence[str] = ('patient001', 'patient002', 'patient003', 'patient004'),
               depth: int = 3, size=(24, 20), num_classes: int = 4, seed: int = 0) -> Dict:
    """ACDC in the SSL4MIS layout: two frames per case, ``depth`` slices each, and split files
    ``root/splits/{labeled,unlabeled,val}.txt`` (first case labeled, the others unlabeled; the last case's
    volumes are the validation set).

    Returns:
        dict: ``data_root``, ``slices`` (volume -> slice files), ``volumes`` (name -> (image, label)), ``splits``
        (name -> split file).
    """
    rng = np.random.default_rng(seed)
    volumes = {}
    for case in cases:
        for frame in (1, 2):
            imgs, labs = zip(*[_shapes(rng, size[0], size[1], num_classes) for _ in range(depth)])
            volumes[f'{case}_frame{frame:02d}'] = (np.stack(imgs), np.stack(labs))
    slices = write_h5_layout(root, volumes)
    split_dir = osp.join(root, 'splits')
    os.makedirs(split_dir)
    names = sorted(volumes)
    lines = dict(labeled=[s for n in names if n.startswith(cases[0]) for s in slices[n]],
                 unlabeled=[s for n in names if not n.startswith(cases[0]) for s in slices[n]],
                 val=[f'data/{n}.h5' for n in names if n.startswith(cases[-1])])
    splits = {}
    for k, v in lines.items():
        splits[k] = osp.join(split_dir, k + '.txt')
        with open(splits[k], 'w') as f:
            f.write('\n'.join(v) + '\n')
    return dict(data_root=root, slices=slices, volumes=volumes, splits=splits)


def write_binary_folder(root: str, n: int = 12, size=(40, 48), img_dir: str = 'images', mask_dir: str = 'masks',
                        img_ext: str = '.jpg', mask_suffix: str = '.png', name_fmt: str = 'img_{:04d}',
                        seed: int = 0, jpeg_masks: bool = False) -> Dict:
    """A folder of RGB images with a bright lesion / polyp and 0/255 masks, in the ISIC / Kvasir form.

    Returns:
        dict: ``root``, ``img_dir``, ``mask_dir``, ``names``, ``masks`` (name -> 0/1 mask).
    """
    rng = np.random.default_rng(seed)
    idir, mdir = osp.join(root, img_dir), osp.join(root, mask_dir)
    os.makedirs(idir, exist_ok=True)
    os.makedirs(mdir, exist_ok=True)
    names, masks = [], {}
    for i in range(n):
        gray, mask = _shapes(rng, size[0], size[1], 2)
        rgb = (np.stack([gray, gray * 0.7, gray * 0.5], -1) * 255).astype(np.uint8)
        name = name_fmt.format(i)
        Image.fromarray(rgb).save(osp.join(idir, name + img_ext), quality=95)
        m = Image.fromarray(mask * 255)
        if jpeg_masks:
            m.save(osp.join(mdir, name + mask_suffix), format='JPEG', quality=75)
        else:
            m.save(osp.join(mdir, name + mask_suffix))
        names.append(name)
        masks[name] = mask
    return dict(root=root, img_dir=idir, mask_dir=mdir, names=names, masks=masks)


def write_isic2018(root: str, counts=None, size=(40, 48), converted: bool = False, seed: int = 0) -> Dict:
    """ISIC 2018 task 1 as extracted (``ISIC2018_Task1-2_<part>_Input``, ``ISIC2018_Task1_<part>_GroundTruth``
    with 0/255 masks, LICENSE files), optionally with the converter's ``_GroundTruth_01`` folders."""
    counts = counts or {'Training': 8, 'Validation': 3}
    out = dict(data_root=root, names={}, masks={})
    for k, (part, n) in enumerate(counts.items()):
        info = write_binary_folder(root, n, size, f'ISIC2018_Task1-2_{part}_Input',
                                   f'ISIC2018_Task1_{part}_GroundTruth', '.jpg', '_segmentation.png',
                                   name_fmt='ISIC_{:07d}'.replace('{:07d}', f'{k}' + '{:06d}'), seed=seed + k)
        with open(osp.join(info['img_dir'], 'LICENSE.txt'), 'w') as f:
            f.write('CC-BY-NC\n')
        out['names'][part] = info['names']
        out['masks'].update(info['masks'])
        if converted:
            conv = osp.join(root, f'ISIC2018_Task1_{part}_GroundTruth_01')
            os.makedirs(conv, exist_ok=True)
            for name in info['names']:
                Image.fromarray(info['masks'][name]).save(osp.join(conv, name + '_segmentation.png'))
    return out
