"""Views of classification images for semi- and self-supervised learning (mmpretrain pipelines).

- :class:`GrayToRGB`: grey images (``(H, W)`` or ``(H, W, 1)``, e.g. Fashion-MNIST) to 3 channels, so that
  RandAugment's colour operations and mmcv's warps (which drop a singleton channel) apply unchanged.
- :class:`FixMatchRandAugment`: FixMatch's strong augmentation (Sohn et al. 2020): RandAugment over the FixMatch
  operation pool, every chosen operation applied with probability 0.5 at a uniformly random magnitude, then
  Cutout of a square whose side is uniform in ``[1, cutout_ratio * min(H, W)]``. Built from mmpretrain's
  RandAugment operations.

The weak view of FixMatch is a pipeline of existing transforms (flip + padded random crop), e.g.::

    weak = [dict(type='RandomFlip', prob=0.5, direction='horizontal'),
            dict(type='mmpretrain.RandomCrop', crop_size=32, padding=4, padding_mode='reflect')]
    strong = weak + [dict(type='FixMatchRandAugment')]

Rotations (S4L, RotNet) and exemplar copies (S4L-Exemplar) are made on the batch tensor inside the models
(:func:`densessl.models.ssl.rotate_batch`), where the label of every rotated copy is known exactly.
"""
import copy
from typing import List, Optional

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness
from mmpretrain.datasets.transforms import RandAugment

from densessl.registry import TRANSFORMS

__all__ = ['GrayToRGB', 'FixMatchRandAugment', 'FIXMATCH_RANDAUG_POLICIES']

#: FixMatch's RandAugment pool (paper Table 12) in mmpretrain's operations (``Identity`` is the 0.5 chance of
#: skipping each chosen operation); magnitudes are drawn uniformly in ``[0, max]`` (``magnitude_std='inf'``)
FIXMATCH_RANDAUG_POLICIES: List[dict] = [
    dict(type='mmpretrain.AutoContrast'),
    dict(type='mmpretrain.Brightness', magnitude_range=(0, 0.9)),
    dict(type='mmpretrain.ColorTransform', magnitude_range=(0, 0.9)),
    dict(type='mmpretrain.Contrast', magnitude_range=(0, 0.9)),
    dict(type='mmpretrain.Equalize'),
    dict(type='mmpretrain.Posterize', magnitude_range=(8, 4)),
    dict(type='mmpretrain.Rotate', magnitude_range=(0, 30)),
    dict(type='mmpretrain.Sharpness', magnitude_range=(0, 0.9)),
    dict(type='mmpretrain.Shear', magnitude_range=(0, 0.3), direction='horizontal'),
    dict(type='mmpretrain.Shear', magnitude_range=(0, 0.3), direction='vertical'),
    dict(type='mmpretrain.Solarize', magnitude_range=(256, 0)),
    dict(type='mmpretrain.Translate', magnitude_range=(0, 0.3), direction='horizontal'),
    dict(type='mmpretrain.Translate', magnitude_range=(0, 0.3), direction='vertical'),
]


@TRANSFORMS.register_module()
class GrayToRGB(BaseTransform):
    """Repeat a grey image to 3 channels (colour images pass unchanged).

    Required keys: ``img``. Modified keys: ``img`` (``(H, W, 3)``, same dtype).

    Raises:
        ValueError: the image has neither 2 dimensions nor 1 or 3 channels.

    Examples:
        >>> GrayToRGB()({'img': np.zeros((28, 28), np.uint8)})['img'].shape
        (28, 28, 3)
    """

    def transform(self, results: dict) -> dict:
        img = results['img']
        if img.ndim == 2:
            img = img[..., None]
        if img.ndim != 3 or img.shape[2] not in (1, 3):
            raise ValueError(f'GrayToRGB: expected an (H, W), (H, W, 1) or (H, W, 3) image, got {img.shape}')
        if img.shape[2] == 1:
            img = np.ascontiguousarray(np.repeat(img, 3, axis=2))
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        return results


@TRANSFORMS.register_module()
class FixMatchRandAugment(BaseTransform):
    """FixMatch's strong augmentation: RandAugment (random magnitudes) followed by Cutout.

    Args:
        num_ops (int): operations drawn (with replacement) per image. Defaults to 2.
        policies (list[dict], optional): the operation pool. Defaults to :data:`FIXMATCH_RANDAUG_POLICIES`.
        op_prob (float): probability of applying each drawn operation. Defaults to 0.5.
        cutout_ratio (float): largest Cutout side as a share of ``min(H, W)``; 0 disables Cutout.
            Defaults to 0.5.
        pad_val (int): fill value of geometric operations and Cutout. Defaults to 127 (FixMatch's grey).

    Required keys: ``img`` (``(H, W, 3)`` uint8). Modified keys: ``img``.

    Raises:
        ValueError: ``num_ops < 1`` or a probability / ratio outside ``[0, 1]``.
    """

    def __init__(self,
                 num_ops: int = 2,
                 policies: Optional[List[dict]] = None,
                 op_prob: float = 0.5,
                 cutout_ratio: float = 0.5,
                 pad_val: int = 127) -> None:
        if num_ops < 1:
            raise ValueError(f'FixMatchRandAugment: num_ops must be >= 1, got {num_ops}')
        if not 0.0 <= op_prob <= 1.0 or not 0.0 <= cutout_ratio <= 1.0:
            raise ValueError(f'FixMatchRandAugment: op_prob and cutout_ratio must be in [0, 1], got {op_prob} '
                             f'and {cutout_ratio}')
        policies = copy.deepcopy(FIXMATCH_RANDAUG_POLICIES if policies is None else policies)
        for p in policies:
            p.setdefault('prob', op_prob)
        self.randaug = RandAugment(
            policies=policies,
            num_policies=num_ops,
            magnitude_level=10,
            magnitude_std='inf',
            total_level=10,
            hparams=dict(pad_val=pad_val))
        self.cutout_ratio = cutout_ratio
        self.pad_val = pad_val

    @cache_randomness
    def _cutout_size(self, h: int, w: int) -> int:
        return int(np.random.randint(1, max(2, int(self.cutout_ratio * min(h, w)) + 1)))

    def transform(self, results: dict) -> dict:
        results = self.randaug(results)
        if self.cutout_ratio > 0:
            img = results['img']
            side = self._cutout_size(*img.shape[:2])
            results['img'] = mmcv.cutout(img, side, pad_val=self.pad_val).astype(img.dtype)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(num_ops={self.randaug.num_policies}, cutout_ratio={self.cutout_ratio}, '
                f'pad_val={self.pad_val})')
