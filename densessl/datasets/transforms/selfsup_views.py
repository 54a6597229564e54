"""Two-view pipelines for target pretraining that keep the geometry of every view.

Dense self-supervised losses (PixPro) need to know where each view came from: the random-resized-crop box in the
coordinates of the image both views were cut from, and whether the view was flipped. The pieces here record that
and reuse mmpretrain/mmcv for everything else (colour jitter, grayscale, blur, solarize: mmpretrain's
``ColorJitter`` (through :class:`ColorJitter`), ``mmpretrain.RandomGrayscale``, ``mmpretrain.GaussianBlur``,
``mmpretrain.Solarize``, mmcv's ``RandomApply`` and
``RandomFlip``). A typical pipeline::

    view = [dict(type='RandomResizedCropWithBox', scale=224),
            dict(type='RandomFlip', prob=0.5),
            dict(type='RandomApply', transforms=[dict(type='ColorJitter', brightness=0.4, ...)],
                 prob=0.8), ...]
    train_pipeline = [dict(type='LoadImageFromFile'),
                      dict(type='SelfSupViews', num_views=[1, 1], transforms=[view1, view2]),
                      dict(type='PackViewInputs')]

The crop must be the first geometric transform of every view pipeline (the box is relative to the image the
wrapper receives); flips after it are folded into the recorded geometry, other geometric transforms are not.
"""
import copy
from typing import List, Sequence, Union

import cv2
import mmcv
import numpy as np
from mmpretrain.datasets.transforms import ColorJitter as _MMPretrainColorJitter
from mmpretrain.datasets.transforms import MultiView, PackInputs
from mmpretrain.datasets.transforms import RandomResizedCrop as _MMPretrainRandomResizedCrop

from densessl.registry import TRANSFORMS

__all__ = ['RandomResizedCropWithBox', 'SelfSupViews', 'PackViewInputs', 'ColorJitter', 'adjust_hue']


def adjust_hue(img: np.ndarray, hue_factor: float) -> np.ndarray:
    """Shift the hue of a BGR ``uint8`` image by ``hue_factor`` of a turn (in ``[-0.5, 0.5]``), wrapping around.

    mmcv 2.1's ``adjust_hue`` computes ``np.uint8(hue_factor * 255)``, which numpy >= 2 rejects for negative
    factors (``OverflowError``); here the shift is taken modulo 256 as the old implicit cast did.
    """
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f'hue_factor {hue_factor} is not in [-0.5, 0.5]')
    if img.ndim == 2:
        return img
    hsv = cv2.cvtColor(img.astype(np.uint8), cv2.COLOR_BGR2HSV_FULL)
    shift = int(hue_factor * 255) % 256
    hsv[..., 0] = ((hsv[..., 0].astype(np.int16) + shift) % 256).astype(np.uint8)
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR_FULL).astype(img.dtype)


@TRANSFORMS.register_module()
class ColorJitter(_MMPretrainColorJitter):
    """mmpretrain's ``ColorJitter`` (BYOL/PixPro colour jitter) with a hue shift that works under numpy >= 2.

    Same arguments and random draws as ``mmpretrain.ColorJitter``; only the hue step uses :func:`adjust_hue`
    (OpenCV HSV) instead of mmcv 2.1's, which raises for negative hue factors with numpy 2.
    """

    def transform(self, results: dict) -> dict:
        img = results['img']
        trans_inds, brightness, contrast, saturation, hue = self._rand_params()
        for index in trans_inds:
            if index == 0 and brightness is not None:
                img = mmcv.adjust_brightness(img, brightness, backend=self.backend)
            elif index == 1 and contrast is not None:
                img = mmcv.adjust_contrast(img, contrast, backend=self.backend)
            elif index == 2 and saturation is not None:
                img = mmcv.adjust_color(img, alpha=saturation, backend=self.backend)
            elif index == 3 and hue is not None:
                img = adjust_hue(img, hue)
        results['img'] = img
        return results


@TRANSFORMS.register_module()
class RandomResizedCropWithBox(_MMPretrainRandomResizedCrop):
    """mmpretrain's ``RandomResizedCrop`` that also records the crop box.

    **Added Keys:** ``crop_bbox`` (``np.float32`` ``(x0, y0, x1, y1)``, inclusive pixel ends, in the coordinates
    of the input image) and ``crop_src_shape`` (``(H, W)`` of the input image).

    Args: as mmpretrain's ``RandomResizedCrop`` (``scale``, ``crop_ratio_range``, ``aspect_ratio_range``,
    ``max_attempts``, ``interpolation``, ``backend``).
    """

    def transform(self, results: dict) -> dict:
        img = results['img']
        offset_h, offset_w, target_h, target_w = self.rand_crop_params(img)
        box = np.array([offset_w, offset_h, offset_w + target_w - 1, offset_h + target_h - 1], dtype=np.float32)
        img = mmcv.imcrop(img, bboxes=box.astype(np.int64))
        img = mmcv.imresize(img, tuple(self.scale[::-1]), interpolation=self.interpolation, backend=self.backend)
        results['crop_src_shape'] = tuple(results['img'].shape[:2])
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        results['crop_bbox'] = box
        return results


@TRANSFORMS.register_module()
class SelfSupViews(MultiView):
    """mmpretrain's ``MultiView`` that keeps each view's crop box and flips.

    **Added Keys:** ``img`` (list of views), ``view_bboxes`` (``(V, 4)`` float32), ``view_src_shapes``
    (``(V, 2)`` int64), ``view_flips`` (``(V,)`` bool, horizontal), ``view_vflips`` (``(V,)`` bool, vertical).

    Args:
        transforms: one pipeline (list of transform configs) per group of views.
        num_views: views per pipeline, an int or a list (e.g. ``[1, 1]`` for BYOL's two asymmetric views).
        require_box: raise when a view pipeline did not record a crop box (``RandomResizedCropWithBox``); if
            False, a view without a crop gets the whole image as its box.
    """

    def __init__(self, transforms: List[list], num_views: Union[int, List[int]], require_box: bool = True) -> None:
        super().__init__(transforms=transforms, num_views=num_views)
        self.require_box = require_box

    def transform(self, results: dict) -> dict:
        imgs, boxes, shapes, hflips, vflips = [], [], [], [], []
        src_hw = tuple(results['img'].shape[:2])
        for i, pipeline in enumerate(self.transforms):
            out = pipeline(copy.deepcopy(results))
            if out is None:
                raise RuntimeError(f'view pipeline {i} returned None for {results.get("img_path")}')
            if 'crop_bbox' not in out:
                if self.require_box:
                    raise KeyError('SelfSupViews: view pipeline %d recorded no crop box; start it with '
                                   'RandomResizedCropWithBox (or set require_box=False)' % i)
                h, w = src_hw
                out['crop_bbox'] = np.array([0, 0, w - 1, h - 1], np.float32)
                out['crop_src_shape'] = src_hw
            direction = out.get('flip_direction') if out.get('flip', False) else None
            imgs.append(out['img'])
            boxes.append(out['crop_bbox'])
            shapes.append(out['crop_src_shape'])
            hflips.append(direction in ('horizontal', 'diagonal'))
            vflips.append(direction in ('vertical', 'diagonal'))
        results['img'] = imgs
        results['view_bboxes'] = np.stack(boxes).astype(np.float32)
        results['view_src_shapes'] = np.asarray(shapes, dtype=np.int64)
        results['view_flips'] = np.asarray(hflips, dtype=bool)
        results['view_vflips'] = np.asarray(vflips, dtype=bool)
        return results

    def __repr__(self) -> str:
        return super().__repr__()[:-1] + f', require_box={self.require_box})'


@TRANSFORMS.register_module()
class PackViewInputs(PackInputs):
    """mmpretrain's ``PackInputs`` with the view geometry in the metainfo.

    ``inputs`` is the list of views (each ``(3, H, W)``; use ``collate_fn=dict(type='default_collate')`` so the
    batch is a list of ``(B, 3, H, W)`` tensors, as mmpretrain's ``SelfSupDataPreprocessor`` expects).

    Args:
        meta_keys: metainfo keys; by default the image path/shape and the ``view_*`` keys of
            :class:`SelfSupViews`.
    """

    DEFAULT_META_KEYS = ('sample_idx', 'img_path', 'ori_shape', 'view_bboxes', 'view_src_shapes', 'view_flips',
                         'view_vflips')

    def __init__(self, input_key: str = 'img', algorithm_keys: Sequence[str] = (),
                 meta_keys: Sequence[str] = DEFAULT_META_KEYS) -> None:
        super().__init__(input_key=input_key, algorithm_keys=algorithm_keys, meta_keys=meta_keys)
