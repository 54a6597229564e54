"""Image and mask loading from HDF5 files (h5py): 2D slices, or one slice of a 3D volume.

The medical layout of SSL4MIS / UniMatch (ACDC) stores training slices and evaluation volumes as h5 files::

    slice file   image (H, W) float in [0, 1]        label (H, W) uint8 class indices
    volume file  image (D, H, W) float in [0, 1]     label (D, H, W) uint8 class indices

A data info names the file in ``img_path`` (and ``seg_map_path``, ``None`` for an unlabeled sample) and, for a
volume, the slice in ``slice_index``. The two transforms split the work as mmcv's ``LoadImageFromFile`` and mmseg's
``LoadAnnotations`` do, so a test pipeline can resize the image between them and keep the mask at its original
size (predictions are resized back to it, as SSL4MIS and UniMatch evaluate)::

    LoadH5ImageFromFile  ->  Resize(256, 256)  ->  LoadH5Annotations  ->  PackSegInputs

The image stays one channel, ``(H, W)`` float32 (mmseg's transforms and ``PackSegInputs`` take 2D images; use
``SegDataPreProcessor`` with ``mean=[0.], std=[1.], bgr_to_rgb=False``). Every problem raises with the file named:
missing file, unreadable file, missing key, a volume read without ``slice_index`` (or the reverse), slice index out
of range, non-finite image values, image/label shape mismatch, label values outside the classes.
"""
from typing import Optional, Tuple

import numpy as np
from mmcv.transforms import BaseTransform

from densessl.registry import TRANSFORMS

__all__ = ['LoadH5ImageFromFile', 'LoadH5Annotations', 'read_h5_array']


def _open(path: str):
    import h5py
    import os.path as osp
    if not osp.isfile(path):
        raise FileNotFoundError(f'h5 file not found: {path}')
    try:
        return h5py.File(path, 'r')
    except Exception as e:
        raise ValueError(f'cannot read h5 file {path} (corrupt or not HDF5): {type(e).__name__}: {e}') from e


def read_h5_array(path: str, key: str, slice_index: Optional[int] = None) -> Tuple[np.ndarray, Tuple[int, ...]]:
    """Read a 2D array from an h5 file: the whole dataset ``key`` (a slice file) or its slice ``slice_index`` (a
    volume file).

    Args:
        path (str): the h5 file.
        key (str): dataset name in the file (``'image'`` / ``'label'``).
        slice_index (int, optional): index along the first axis of a 3D dataset; ``None`` for a 2D dataset.

    Returns:
        (array, shape): the 2D array and the full shape of the dataset in the file.

    Raises:
        FileNotFoundError: the file does not exist.
        KeyError: the file has no dataset ``key`` (the message lists the keys it has).
        ValueError: unreadable file; a 3D dataset without ``slice_index`` or a 2D one with it; slice index out of
            range; a dataset that is neither 2D nor 3D.

    Examples:
        >>> import h5py, tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), 'vol.h5')
        >>> with h5py.File(path, 'w') as f:
        ...     _ = f.create_dataset('image', data=np.arange(24, dtype=np.float32).reshape(2, 3, 4))
        >>> arr, shape = read_h5_array(path, 'image', slice_index=1)
        >>> arr.shape, shape, float(arr[0, 0])
        ((3, 4), (2, 3, 4), 12.0)
    """
    with _open(path) as f:
        if key not in f:
            raise KeyError(f'h5 file {path} has no dataset {key!r} (it has: {sorted(f.keys())})')
        ds = f[key]
        shape = tuple(ds.shape)
        if slice_index is None:
            if len(shape) != 2:
                hint = (' (a volume: list it in a dataset with volumes=True, which gives each slice a slice_index)'
                        if len(shape) == 3 else '')
                raise ValueError(f'h5 file {path}: {key!r} has shape {shape}, expected a 2D slice (H, W){hint}')
            return np.asarray(ds[()]), shape
        if len(shape) != 3:
            raise ValueError(f'h5 file {path}: {key!r} has shape {shape}, expected a volume (D, H, W) to read '
                             f'slice {slice_index} from (a 2D slice file is read with slice_index=None)')
        if not 0 <= slice_index < shape[0]:
            raise ValueError(f'h5 file {path}: slice index {slice_index} out of range for {key!r} of shape {shape}')
        return np.asarray(ds[slice_index]), shape


@TRANSFORMS.register_module()
class LoadH5ImageFromFile(BaseTransform):
    """Load a one-channel image (a 2D slice, or one slice of a volume) from an h5 file.

    **Required Keys:** ``img_path``; ``slice_index`` (optional: ``None`` or absent for a slice file).

    **Added Keys:** ``img`` (``(H, W)`` float32), ``img_shape``, ``ori_shape``.

    Args:
        key (str): dataset name of the image. Defaults to ``'image'``.
        to_float32 (bool): cast to float32. Defaults to True.

    Raises:
        FileNotFoundError, KeyError, ValueError: see :func:`read_h5_array`; also non-finite (NaN / inf) values.
    """

    def __init__(self, key: str = 'image', to_float32: bool = True) -> None:
        self.key = key
        self.to_float32 = to_float32

    def transform(self, results: dict) -> dict:
        path = results['img_path']
        img, _ = read_h5_array(path, self.key, results.get('slice_index'))
        if img.dtype.kind not in 'fiub':
            raise ValueError(f'h5 file {path}: {self.key!r} has dtype {img.dtype}, expected numbers')
        if self.to_float32:
            img = img.astype(np.float32)
        if img.dtype.kind == 'f' and not np.isfinite(img).all():
            raise ValueError(f'h5 file {path}: {self.key!r} holds {int((~np.isfinite(img)).sum())} NaN/inf '
                             f'value(s)' + _where(results))
        results['img'] = np.ascontiguousarray(img)
        results['img_shape'] = img.shape[:2]
        results['ori_shape'] = img.shape[:2]
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(key={self.key!r}, to_float32={self.to_float32})'


def _where(results: dict) -> str:
    k = results.get('slice_index')
    return '' if k is None else f' in slice {k}'


@TRANSFORMS.register_module()
class LoadH5Annotations(BaseTransform):
    """Load the class-index mask of a slice from an h5 file, checked.

    **Required Keys:** ``seg_map_path`` (the h5 file; ``None`` for an unlabeled sample is an error),
    ``slice_index`` (optional), ``num_classes`` (unless given here), ``ori_shape`` (optional: compared with the
    mask's shape), ``mask_ignore_index`` (optional, as set by the densessl datasets).

    **Added Keys:** ``gt_seg_map`` (``(H, W)`` uint8), ``seg_fields``.

    Args:
        key (str): dataset name of the mask. Defaults to ``'label'``.
        num_classes (int, optional): number of classes; ``None`` takes ``results['num_classes']``.
        ignore_index (int, optional): a value allowed besides the classes; ``None`` takes
            ``results['mask_ignore_index']`` (``None`` there: no ignore value, as ACDC).

    Raises:
        FileNotFoundError, KeyError: missing file / dataset (see :func:`read_h5_array`).
        ValueError: no ``seg_map_path``; a label that is not integer-valued; label shape different from the
            image's; values outside ``[0, num_classes)`` (and ``ignore_index``). The message names the file.
    """

    def __init__(self, key: str = 'label', num_classes: Optional[int] = None,
                 ignore_index: Optional[int] = None) -> None:
        if num_classes is not None and num_classes < 1:
            raise ValueError(f'num_classes must be >= 1, got {num_classes}')
        self.key = key
        self.num_classes = num_classes
        self.ignore_index = ignore_index

    def transform(self, results: dict) -> dict:
        path = results.get('seg_map_path')
        if path is None:
            raise ValueError(f'no label for {results.get("img_path")}: seg_map_path is None (a sample of an '
                             'unlabeled split); remove LoadH5Annotations from the pipeline of unlabeled data')
        label, _ = read_h5_array(path, self.key, results.get('slice_index'))
        where = _where(results)
        if label.dtype.kind == 'f':
            if not np.isfinite(label).all() or (label != np.round(label)).any():
                raise ValueError(f'h5 file {path}: {self.key!r} holds non-integer values{where}; a label is a '
                                 'map of class indices')
        elif label.dtype.kind not in 'iub':
            raise ValueError(f'h5 file {path}: {self.key!r} has dtype {label.dtype}, expected class indices')
        ori_shape = results.get('ori_shape')
        if ori_shape is not None and tuple(ori_shape[:2]) != tuple(label.shape):
            raise ValueError(f'h5 file {path}: {self.key!r} is {label.shape[0]}x{label.shape[1]} (HxW){where} but '
                             f'the image is {ori_shape[0]}x{ori_shape[1]}')
        num_classes = self.num_classes if self.num_classes is not None else results.get('num_classes')
        if not num_classes:
            raise ValueError(f'LoadH5Annotations cannot check {path}: the number of classes is unknown; pass '
                             'num_classes=... or use a densessl dataset (it sets results["num_classes"])')
        ignore = self.ignore_index if self.ignore_index is not None else results.get('mask_ignore_index')
        bad = (label < 0) | (label >= num_classes)
        if ignore is not None:
            bad &= label != ignore
        if bad.any():
            allowed = f'[0, {num_classes})' + (f' and {ignore}' if ignore is not None else '')
            raise ValueError(f'h5 file {path}: {self.key!r} has values outside {allowed}{where}: '
                             f'{np.unique(label[bad]).tolist()} in {int(bad.sum())} pixel(s)')
        results['gt_seg_map'] = np.ascontiguousarray(label.astype(np.uint8))
        results.setdefault('seg_fields', [])
        if 'gt_seg_map' not in results['seg_fields']:
            results['seg_fields'].append('gt_seg_map')
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(key={self.key!r}, num_classes={self.num_classes}, '
                f'ignore_index={self.ignore_index})')
