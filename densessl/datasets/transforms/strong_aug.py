"""Strong photometric augmentation (albumentations) for the student's view of an unlabeled image.

Only image-only (photometric) albumentations transforms are accepted: the student's view must keep the
teacher's geometry pixel for pixel, so a geometric transform (flip, crop, affine, ...) here is refused with an
error instead of silently misaligning the pseudo-labels.

albumentations keeps its own random state, independent of numpy's global one that MMEngine seeds per run and
per dataloader worker; the transform reseeds it from numpy's global generator at every call, so runs with a
seed are reproducible (and a resumed run replays the same augmentations).
"""
import copy
from typing import List, Optional

import albumentations
from albumentations.core.composition import BaseCompose
import cv2
import numpy as np
from mmseg.datasets.transforms import Albu

from densessl.registry import TRANSFORMS

__all__ = ['StrongPhotometricAug', 'DEFAULT_STRONG_TRANSFORMS']

#: colour jitter (p 0.8), grayscale (p 0.2), Gaussian blur (p 0.5): the strong view of FixMatch-style
#: segmentation SSL (ClassMix / CutMix / UniMatch use the same three)
DEFAULT_STRONG_TRANSFORMS = [
    dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.4, hue=0.1, p=0.8),
    dict(type='ToGray', p=0.2),
    dict(type='GaussianBlur', blur_limit=(3, 7), sigma_limit=(0.1, 2.0), p=0.5),
]


def _photometric_only(transform, path: str = 'transforms') -> None:
    if isinstance(transform, BaseCompose):  # OneOf / SomeOf / Sequential
        for i, t in enumerate(transform.transforms):
            _photometric_only(t, f'{path}[{i}]')
        return
    if not isinstance(transform, albumentations.ImageOnlyTransform):
        raise ValueError(f'StrongPhotometricAug: {path} = {type(transform).__name__} is not a photometric '
                         '(image-only) albumentations transform; it would move pixels in the student\'s view '
                         'only and misalign the teacher\'s pseudo-labels. Put geometric transforms before '
                         'MultiBranch, where both views share them.')


@TRANSFORMS.register_module()
class StrongPhotometricAug(Albu):
    """Apply albumentations' photometric transforms to ``results['img']`` (BGR, as loaded by mmcv).

    **Required Keys:** ``img``. **Modified Keys:** ``img``. Masks and every geometric key are left untouched.

    Args:
        transforms (list[dict], optional): albumentations transform configs (``type`` = the class name in
            ``albumentations``; ``OneOf`` etc. nest ``transforms``). Defaults to
            :data:`DEFAULT_STRONG_TRANSFORMS`.

    Raises:
        ValueError: a transform is not image-only (it would change the geometry).

    Examples:
        >>> t = StrongPhotometricAug()
        >>> out = t({'img': np.full((8, 8, 3), 128, np.uint8)})
        >>> out['img'].shape, out['img'].dtype
        ((8, 8, 3), dtype('uint8'))
    """

    def __init__(self, transforms: Optional[List[dict]] = None) -> None:
        transforms = copy.deepcopy(DEFAULT_STRONG_TRANSFORMS if transforms is None else transforms)
        super().__init__(transforms=transforms)
        for i, t in enumerate(self.aug.transforms):
            _photometric_only(t, f'transforms[{i}]')

    def transform(self, results: dict) -> dict:
        img = results['img']
        if img.ndim != 3 or img.shape[2] != 3:
            raise ValueError(f'StrongPhotometricAug expects a colour image (H, W, 3), got shape {img.shape} '
                             f'for {results.get("img_path")}')
        self.aug.set_random_seed(int(np.random.randint(0, 2**31 - 1)))
        rgb = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
        out = self.aug(image=rgb)['image']
        results['img'] = np.ascontiguousarray(cv2.cvtColor(out, cv2.COLOR_RGB2BGR))
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(transforms={self.transforms})'
