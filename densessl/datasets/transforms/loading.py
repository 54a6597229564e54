"""Image and mask loading that fails with the file's name and the problem.

mmcv's :class:`~mmcv.transforms.LoadImageFromFile` and mmseg's :class:`~mmseg.datasets.transforms.LoadAnnotations`
do the reading; these subclasses turn a missing, unreadable or inconsistent file into an error that says which file
and what is wrong, instead of a decoder traceback or a silently wrong label (a 0/255 mask read as "ignore").
"""
from typing import Optional

import mmcv
import mmengine.fileio as fileio
import numpy as np
from mmcv.transforms import LoadImageFromFile
from mmseg.datasets.transforms import LoadAnnotations

from densessl.registry import TRANSFORMS

__all__ = ['LoadCheckedImageFromFile', 'LoadCheckedAnnotations']


@TRANSFORMS.register_module()
class LoadCheckedImageFromFile(LoadImageFromFile):
    """:class:`mmcv.transforms.LoadImageFromFile` whose errors name the image file.

    Args:
        **kwargs: arguments of :class:`mmcv.transforms.LoadImageFromFile` (``to_float32``, ``color_type``,
            ``imdecode_backend``, ``ignore_empty``, ``backend_args``).

    Raises:
        FileNotFoundError: the image file does not exist.
        ValueError: the file cannot be decoded as an image (corrupt, empty, not an image).
    """

    def transform(self, results: dict) -> Optional[dict]:
        filename = results['img_path']
        try:
            out = super().transform(results)
        except FileNotFoundError as e:
            raise FileNotFoundError(f'image file not found: {filename}') from e
        except Exception as e:
            raise ValueError(f'cannot read image file {filename} (corrupt or not an image): '
                             f'{type(e).__name__}: {e}') from e
        return out


@TRANSFORMS.register_module()
class LoadCheckedAnnotations(LoadAnnotations):
    """mmseg's :class:`~mmseg.datasets.transforms.LoadAnnotations` with checks of the mask.

    After mmseg has read the mask (and applied ``reduce_zero_label`` and the custom-class ``label_map``), the
    mask must be single-channel, of the image's original size (``results['ori_shape']``, when an image was loaded
    before) and hold only values in ``[0, num_classes)`` or ``ignore_index``.

    Args:
        num_classes (int, optional): number of classes. ``None`` (default) takes ``results['num_classes']``, which
            every :class:`~densessl.datasets.base.SplitSegDataset` puts into its data infos.
        ignore_index (int, optional): the label value allowed besides the classes. ``None`` (default) takes
            ``results['mask_ignore_index']`` when the dataset sets that key (``None`` there: no ignore value is
            allowed, e.g. ISIC 2017, whose unconverted 0/255 masks must not pass), else 255.
        **kwargs: arguments of mmseg's ``LoadAnnotations`` (``reduce_zero_label``, ``backend_args``,
            ``imdecode_backend``).

    Raises:
        ValueError: no ``seg_map_path`` (an unlabeled sample), unreadable mask, mask shape different from the
            image's, or values outside the classes; the message names the mask file (and the bad values).
        FileNotFoundError: the mask file does not exist.
    """

    def __init__(self, num_classes: Optional[int] = None, ignore_index: Optional[int] = None, **kwargs) -> None:
        super().__init__(**kwargs)
        if num_classes is not None and num_classes < 1:
            raise ValueError(f'num_classes must be >= 1, got {num_classes}')
        self.num_classes = num_classes
        self.ignore_index = ignore_index

    def _read_raw(self, path: str) -> np.ndarray:
        return mmcv.imfrombytes(
            fileio.get(path, backend_args=self.backend_args), flag='unchanged',
            backend=self.imdecode_backend).squeeze()

    def _load_seg_map(self, results: dict) -> None:
        path = results.get('seg_map_path')
        if path is None:
            raise ValueError(f'no mask for {results.get("img_path")}: seg_map_path is None (a sample of an '
                             'unlabeled split); remove LoadCheckedAnnotations from the pipeline of unlabeled data')
        try:
            super()._load_seg_map(results)
        except FileNotFoundError as e:
            raise FileNotFoundError(f'mask file not found: {path}') from e
        except AssertionError:
            raise
        except Exception as e:
            raise ValueError(f'cannot read mask file {path} (corrupt or not an image): '
                             f'{type(e).__name__}: {e}') from e
        seg = results['gt_seg_map']
        if seg.ndim != 2:
            raise ValueError(f'mask file {path} has shape {tuple(seg.shape)}: expected a single-channel index mask '
                             '(H, W); convert colour masks to class indices first')
        ori_shape = results.get('ori_shape')
        if ori_shape is not None and tuple(ori_shape[:2]) != tuple(seg.shape):
            raise ValueError(f'mask file {path} is {seg.shape[0]}x{seg.shape[1]} (HxW) but its image '
                             f'{results.get("img_path")} is {ori_shape[0]}x{ori_shape[1]}')
        num_classes = self.num_classes if self.num_classes is not None else results.get('num_classes')
        if num_classes is None:
            raise ValueError(f'LoadCheckedAnnotations cannot check {path}: the number of classes is unknown; '
                             'pass num_classes=... or use a densessl dataset (it sets results["num_classes"])')
        if self.ignore_index is not None:
            ignore_index = self.ignore_index
        else:
            ignore_index = results['mask_ignore_index'] if 'mask_ignore_index' in results else 255
        bad = seg >= num_classes
        if ignore_index is not None:
            bad &= seg != ignore_index
        if bad.any():
            raw = self._read_raw(path)
            bad_raw = np.unique(raw[bad]) if raw.shape == seg.shape else np.unique(seg[bad])
            allowed = f'[0, {num_classes})' + (f' and {ignore_index}' if ignore_index is not None else '')
            raise ValueError(
                f'mask file {path} has values outside {allowed}: '
                f'{bad_raw.tolist()} in {int(bad.sum())} pixel(s)'
                + (' (after reduce_zero_label / label_map)' if results.get('reduce_zero_label')
                   or results.get('label_map') else '')
                + '; was the mask converted (tools/dataset_converters/)?')

    def __repr__(self) -> str:
        return (super().__repr__()[:-1] + f', num_classes={self.num_classes}, ignore_index={self.ignore_index})')
