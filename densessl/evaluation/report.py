"""Reports people read: per-class tables (IoU, Dice, HD95) as text, JSON and CSV, and overlay images.

``tools/test.py`` (and a recipe's final evaluation in ``tools/train.py``) uses these pieces::

    evaluator of the test loop
      -> capture_class_tables(): mmseg's IoUMetric keeps its per-class IoU / Dice / Acc after evaluation
         (VolumeMetric keeps class_table / volume_table itself)
      -> runner.test()
      -> merge_class_tables(): one row per class, the columns of every metric (HD95 where computed)
      -> format_class_table() printed; write_class_table() -> <metrics>_per_class.json / .csv   (write_reports)
    OverlayHook (``--show-dir``): for every test sample, image | ground truth | prediction side by side, the masks
      drawn over the image in the dataset's palette (:func:`overlay_panels`), one PNG per sample.
"""
import csv
import json
import math
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.hooks import Hook

__all__ = [
    'iou_class_table', 'capture_class_tables', 'collect_class_tables', 'merge_class_tables', 'format_class_table',
    'write_class_table', 'write_reports', 'overlay_panels', 'to_display_image', 'OverlayHook'
]


def iou_class_table(results: Sequence[tuple], class_names: Sequence[str]) -> List[dict]:
    """Per-class IoU, Dice and accuracy (in %) from the per-image results of mmseg's ``IoUMetric``.

    Args:
        results: the metric's results, one ``(area_intersect, area_union, area_pred, area_label)`` per image.
        class_names: the dataset's classes.

    Returns:
        list[dict]: one row per class: ``class``, ``IoU``, ``Dice``, ``Acc`` (NaN for a class absent from both
        predictions and labels).

    Examples:
        >>> import torch
        >>> r = [(torch.tensor([3., 0.]), torch.tensor([5., 2.]), torch.tensor([4., 1.]), torch.tensor([4., 1.]))]
        >>> [(row['class'], row['IoU'], row['Dice']) for row in iou_class_table(r, ['a', 'b'])]
        [('a', 60.0, 75.0), ('b', 0.0, 0.0)]
    """
    from mmseg.evaluation import IoUMetric
    totals = [sum(r[i] for r in results) for i in range(4)]
    ret = IoUMetric.total_area_to_metrics(*totals, metrics=['mIoU', 'mDice'], nan_to_num=None, beta=1)
    rows = []
    for k, name in enumerate(class_names):
        rows.append({'class': name, **{m: _round(100 * float(ret[m][k])) for m in ('IoU', 'Dice', 'Acc')}})
    return rows


def _round(v: float) -> float:
    return v if math.isnan(v) else round(v, 2)


def capture_class_tables(evaluator) -> None:
    """Make every mmseg ``IoUMetric`` of ``evaluator`` keep its per-class table (``metric.class_table``) when it
    computes its metrics; other metrics that keep one (:class:`~densessl.evaluation.VolumeMetric`) need nothing."""
    from mmseg.evaluation import IoUMetric
    for metric in evaluator.metrics:
        if isinstance(metric, IoUMetric) and not getattr(metric, '_keeps_class_table', False):
            compute = metric.compute_metrics

            def wrapped(results, _metric=metric, _compute=compute):
                _metric.class_table = iou_class_table(results, _metric.dataset_meta['classes'])
                return _compute(results)

            metric.compute_metrics = wrapped
            metric._keeps_class_table = True


def collect_class_tables(evaluator) -> List[Tuple[str, List[dict]]]:
    """``(metric name, rows)`` of every metric of ``evaluator`` that kept a per-class table."""
    out = []
    for metric in evaluator.metrics:
        rows = getattr(metric, 'class_table', None)
        if rows:
            name = type(metric).__name__ + (f'/{metric.prefix}' if getattr(metric, 'prefix', None) else '')
            out.append((name, rows))
    return out


def merge_class_tables(tables: Sequence[Tuple[str, List[dict]]]) -> Tuple[List[str], List[dict]]:
    """One row per class with the columns of every table; a column name already taken by an earlier table gets
    ``' (<metric name>)'`` appended (``IoU`` of IoUMetric, ``IoU (VolumeMetric)`` per volume).

    Returns:
        (columns, rows): the column names (``class`` first) and the merged rows, in class order.

    Examples:
        >>> cols, rows = merge_class_tables([('IoUMetric', [{'class': 'a', 'IoU': 50.0}, {'class': 'b', 'IoU': 9.0}]),
        ...                                  ('VolumeMetric', [{'class': 'b', 'IoU': 7.0, 'HD95': 2.0}])])
        >>> cols
        ['class', 'IoU', 'IoU (VolumeMetric)', 'HD95']
        >>> rows[1]
        {'class': 'b', 'IoU': 9.0, 'IoU (VolumeMetric)': 7.0, 'HD95': 2.0}
    """
    columns: List[str] = ['class']
    rows: Dict[str, dict] = {}
    for name, table in tables:
        colmap: Dict[str, str] = {}
        for row in table:
            for key in row:
                if key != 'class' and key not in colmap:
                    colmap[key] = key if key not in columns else f'{key} ({name})'
                    columns.append(colmap[key])
        for row in table:
            merged = rows.setdefault(row['class'], {'class': row['class']})
            merged.update({colmap[k]: v for k, v in row.items() if k != 'class'})
    return columns, list(rows.values())


def format_class_table(columns: Sequence[str], rows: Sequence[dict]) -> str:
    """A markdown table of ``rows`` (numbers with 2 decimals, ``-`` where a row lacks a column)."""
    def cell(v):
        if v is None:
            return '-'
        if isinstance(v, float):
            return 'nan' if math.isnan(v) else f'{v:.2f}'
        return str(v)
    lines = ['| ' + ' | '.join(columns) + ' |', '|' + '---|' * len(columns)]
    lines += ['| ' + ' | '.join(cell(r.get(c)) for c in columns) + ' |' for r in rows]
    return '\n'.join(lines)


def write_class_table(columns: Sequence[str], rows: Sequence[dict], json_path: Optional[str] = None,
                      csv_path: Optional[str] = None) -> None:
    """Write the table as JSON (a list of row objects, NaN as ``null``) and/or CSV (empty cell for NaN / missing),
    each file atomically."""
    def clean(v):
        return None if isinstance(v, float) and math.isnan(v) else v
    if json_path:
        _atomic(json_path, lambda f: json.dump([{c: clean(r.get(c)) for c in columns} for r in rows], f, indent=2))
    if csv_path:
        def write(f):
            w = csv.writer(f)
            w.writerow(columns)
            for r in rows:
                w.writerow(['' if clean(r.get(c)) is None else r.get(c) for c in columns])
        _atomic(csv_path, write, newline='')


def write_reports(evaluator, stem: str) -> List[str]:
    """After an evaluation (with :func:`capture_class_tables` called before it): print the per-class table and write
    ``<stem>_per_class.{json,csv}``, and ``<stem>_per_volume.csv`` for volume metrics (``tools/test.py --out``, and a
    recipe's final evaluation next to its ``test_metrics.json``).

    Returns:
        list[str]: the files written (none when no metric kept a table, e.g. a classification accuracy).
    """
    written = []
    tables = collect_class_tables(evaluator)
    if tables:
        columns, rows = merge_class_tables(tables)
        print('per-class results:\n' + format_class_table(columns, rows))
        write_class_table(columns, rows, stem + '_per_class.json', stem + '_per_class.csv')
        written += [stem + '_per_class.json', stem + '_per_class.csv']
    for metric in evaluator.metrics:
        volumes = getattr(metric, 'volume_table', None)
        if volumes:
            columns = list(volumes[0])
            write_class_table(columns, volumes, csv_path=stem + '_per_volume.csv')
            written.append(stem + '_per_volume.csv')
            break
    for path in written:
        print(f'wrote {path}')
    return written


def _atomic(path: str, write, **open_kwargs) -> None:
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path + '.tmp', 'w', **open_kwargs) as f:
        write(f)
    os.replace(path + '.tmp', path)


def to_display_image(img: np.ndarray, bgr: bool = True) -> np.ndarray:
    """A network input as an RGB uint8 picture: ``(C, H, W)`` or ``(H, W, C)`` / ``(H, W)``; one channel is shown as
    gray; floats in [0, 1] are scaled by 255, other float ranges stretched to [0, 255]; 3 channels flipped from BGR
    (mmcv's order) when ``bgr``.

    Examples:
        >>> to_display_image(np.full((1, 2, 2), 0.5, np.float32))[0, 0].tolist()
        [128, 128, 128]
    """
    img = np.asarray(img)
    if img.ndim == 3 and img.shape[0] in (1, 3) and img.shape[2] not in (1, 3):
        img = img.transpose(1, 2, 0)
    if img.ndim == 3 and img.shape[0] in (1, 3) and img.shape[2] in (1, 3) and img.shape[0] != img.shape[2]:
        img = img.transpose(1, 2, 0)
    if img.ndim == 2:
        img = img[..., None]
    if img.dtype != np.uint8:
        img = img.astype(np.float32)
        lo, hi = float(img.min()), float(img.max())
        if lo >= 0 and hi <= 1:
            img = img * 255
        elif hi > lo and (lo < 0 or hi > 255):
            img = (img - lo) / (hi - lo) * 255
        img = np.clip(np.round(img), 0, 255).astype(np.uint8)
    if img.shape[2] == 1:
        img = np.repeat(img, 3, axis=2)
    elif bgr:
        img = img[..., ::-1]
    return np.ascontiguousarray(img[..., :3])


def overlay_panels(image: np.ndarray, gt: Optional[np.ndarray], pred: np.ndarray, palette: Sequence[Sequence[int]],
                   alpha: float = 0.5, ignore_index: int = 255) -> np.ndarray:
    """Image | ground truth | prediction side by side, each mask drawn over the image in ``palette``.

    Background (class 0) and ``ignore_index`` pixels show the image unchanged.

    Args:
        image (np.ndarray): ``(H, W, 3)`` RGB uint8.
        gt (np.ndarray, optional): ``(H, W)`` class indices; ``None``: that panel shows the image.
        pred (np.ndarray): ``(H, W)`` class indices.
        palette: one RGB colour per class.
        alpha (float): opacity of the masks. Defaults to 0.5.
        ignore_index (int): label drawn as nothing. Defaults to 255.

    Returns:
        np.ndarray: ``(H, 3 W, 3)`` uint8.

    Examples:
        >>> img = np.zeros((2, 2, 3), np.uint8); pred = np.array([[0, 1], [1, 1]])
        >>> out = overlay_panels(img, pred, pred, [[0, 0, 0], [200, 100, 0]], alpha=1.0)
        >>> out.shape, out[0, 3].tolist(), out[0, 2].tolist()
        ((2, 6, 3), [200, 100, 0], [0, 0, 0])
    """
    colours = np.zeros((256, 3), np.float32)
    colours[:len(palette)] = np.asarray(palette, np.float32)[:256]

    def draw(mask):
        if mask is None:
            return image
        mask = np.asarray(mask).astype(np.int64)
        if mask.shape != image.shape[:2]:
            raise ValueError(f'mask {mask.shape} and image {image.shape[:2]} differ in size')
        on = (mask > 0) & (mask != ignore_index) & (mask < len(palette))
        out = image.astype(np.float32)
        out[on] = (1 - alpha) * out[on] + alpha * colours[mask[on]]
        return np.clip(np.round(out), 0, 255).astype(np.uint8)

    return np.concatenate([image, draw(gt), draw(pred)], axis=1)


class OverlayHook(Hook):
    """Write an overlay PNG (:func:`overlay_panels`) of every test sample into ``out_dir``.

    The file is named after the image (``<image file stem>.png``; ``<volume>_slice<k>.png`` for a slice of a
    volume). The network input is shown at the prediction's size (the sample's original size).

    Args:
        out_dir (str): destination folder (created).
        alpha (float): mask opacity. Defaults to 0.5.
        bgr (bool): 3-channel inputs are BGR (as mmcv loads them). Defaults to True.
    """

    priority = 'LOW'

    def __init__(self, out_dir: str, alpha: float = 0.5, bgr: bool = True) -> None:
        self.out_dir = out_dir
        self.alpha = alpha
        self.bgr = bgr
        self.written: List[str] = []

    def after_test_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        import cv2
        from PIL import Image
        palette = runner.test_dataloader.dataset.metainfo.get('palette') or [[0, 0, 0]]
        os.makedirs(self.out_dir, exist_ok=True)
        inputs = data_batch['inputs'] if data_batch is not None else [None] * len(outputs)
        for img, sample in zip(inputs, outputs):
            pred = sample.pred_sem_seg.data[0].cpu().numpy()
            gt = sample.gt_sem_seg.data[0].cpu().numpy() if 'gt_sem_seg' in sample else None
            h, w = pred.shape
            shown = to_display_image(img.cpu().numpy(), self.bgr) if img is not None else np.zeros((h, w, 3),
                                                                                                   np.uint8)
            if shown.shape[:2] != (h, w):
                shown = cv2.resize(shown, (w, h), interpolation=cv2.INTER_LINEAR)
            if gt is not None and gt.shape != (h, w):
                gt = cv2.resize(gt.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST)
            meta = sample.metainfo
            name = osp.splitext(osp.basename(meta.get('img_path', f'sample_{batch_idx}')))[0]
            if meta.get('slice_index') is not None:
                name = f'{meta.get("volume_id", name)}_slice{meta["slice_index"]}'
            path = osp.join(self.out_dir, name + '.png')
            Image.fromarray(overlay_panels(shown, gt, pred, palette, self.alpha)).save(path)
            self.written.append(path)
