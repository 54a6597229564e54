"""Photometric augmentation of one-channel images (MRI / CT slices), for strong views and PixPro views.

:class:`~densessl.datasets.transforms.StrongPhotometricAug` works on BGR colour images; medical slices are one
channel, often float in [0, 1] (the ACDC h5 files). :class:`GrayPhotometricAug` applies albumentations' image-only
transforms to ``(H, W)`` / ``(H, W, 1)`` images of either dtype and keeps the shape and dtype. Its default is the
strong view of UniMatch's medical code: colour jitter 0.5 / 0.5 / 0.5 / 0.25 with probability 0.8 (on one channel
only brightness and contrast act), Gaussian blur with sigma in [0.1, 2] with probability 0.5.
"""
import copy
from typing import List, Optional

import numpy as np

from densessl.registry import TRANSFORMS
from .strong_aug import StrongPhotometricAug

__all__ = ['GrayPhotometricAug', 'DEFAULT_GRAY_TRANSFORMS']

#: UniMatch medical strong view (ColorJitter(0.5, 0.5, 0.5, 0.25) p=0.8, blur sigma 0.1-2 p=0.5)
DEFAULT_GRAY_TRANSFORMS = [
    dict(type='ColorJitter', brightness=0.5, contrast=0.5, saturation=0.5, hue=0.25, p=0.8),
    dict(type='GaussianBlur', blur_limit=(3, 7), sigma_limit=(0.1, 2.0), p=0.5),
]


@TRANSFORMS.register_module()
class GrayPhotometricAug(StrongPhotometricAug):
    """Apply albumentations' photometric transforms to a one-channel ``results['img']``.

    **Required Keys:** ``img`` (``(H, W)`` or ``(H, W, 1)``, uint8 in [0, 255] or float in [0, 1]).
    **Modified Keys:** ``img`` (same shape and dtype; float images stay in [0, 1]).

    Args:
        transforms (list[dict], optional): albumentations image-only transform configs. Defaults to
            :data:`DEFAULT_GRAY_TRANSFORMS`.

    Raises:
        ValueError: a geometric transform in ``transforms``; an image with more than one channel; a float image
            outside [0, 1] (CT Hounsfield units, raw MRI intensities: scale them when writing the data).

    Examples:
        >>> t = GrayPhotometricAug()
        >>> out = t({'img': np.full((8, 8), 0.5, np.float32)})
        >>> out['img'].shape, out['img'].dtype
        ((8, 8), dtype('float32'))
    """

    def __init__(self, transforms: Optional[List[dict]] = None) -> None:
        super().__init__(transforms=copy.deepcopy(DEFAULT_GRAY_TRANSFORMS if transforms is None else transforms))

    def transform(self, results: dict) -> dict:
        img = results['img']
        if not (img.ndim == 2 or (img.ndim == 3 and img.shape[2] == 1)):
            raise ValueError(f'GrayPhotometricAug expects a one-channel image (H, W) or (H, W, 1), got shape '
                             f'{img.shape} for {results.get("img_path")}; use StrongPhotometricAug for colour images')
        self.aug.set_random_seed(int(np.random.randint(0, 2**31 - 1)))
        dtype, shape = img.dtype, img.shape
        work = img.reshape(shape[0], shape[1], 1)
        if dtype != np.uint8:
            lo, hi = float(work.min()), float(work.max())
            if lo < -1e-3 or hi > 1 + 1e-3:
                raise ValueError(f'GrayPhotometricAug: float image values in [{lo:.3g}, {hi:.3g}] for '
                                 f'{results.get("img_path")}; it expects [0, 1] (scale the intensities when '
                                 'writing the h5 files, e.g. (x - min) / (max - min) per volume)')
            work = np.clip(work.astype(np.float32), 0., 1.)
        out = self.aug(image=np.ascontiguousarray(work))['image']
        results['img'] = np.ascontiguousarray(np.asarray(out).reshape(shape).astype(dtype))
        return results
