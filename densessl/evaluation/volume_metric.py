"""Per-volume IoU, Dice and 95 % Hausdorff distance (HD95), the medical segmentation protocol of SSL4MIS / UniMatch.

Data flow::

    each evaluated slice (data sample): pred_sem_seg, gt_sem_seg at the slice's original size,
                                        volume_id, slice_index, num_slices (set by H5SegDataset(volumes=True))
      -> process(): slices kept per volume_id   (a sample without num_slices is an image of its own: scored at once)
      -> compute_metrics(): every volume stacked in slice order (D, H, W), checked complete
           -> volume_scores(): one-hot per class -> MONAI compute_iou / compute_dice / compute_hausdorff_distance
              (percentile 95, euclidean, optional voxel spacing)
           -> per class: mean over the volumes where the score is defined; m<name>: mean over the classes

Classes are the foreground classes (``include_background=False``, the field's convention); ``ignore_index``
pixels of the ground truth count for neither prediction nor ground truth.

Empty classes (a class absent from a volume's ground truth and/or prediction):

====================  =====================  ===========  =========================================
ground truth          prediction             IoU / Dice   HD95
====================  =====================  ===========  =========================================
present               present                MONAI        MONAI (95th percentile of the symmetric
                                                          surface distances)
present               empty                  0            ``empty_hd95``: ``'max'`` (default) = the
                                                          volume's diagonal (the largest distance
                                                          possible), or ``'nan'`` = left out
empty                 present                0            as above
empty                 empty                  NaN          NaN
====================  =====================  ===========  =========================================

NaN scores are left out of the means (the table reports how many volumes each class mean is over). SSL4MIS's
``calculate_metric_percase`` gives Dice 0 and HD95 0 for a missed class: a model that predicts nothing would get
the best HD95; here it gets the worst. On ACDC every volume holds every class, so Dice equals the field's.
"""
import math
import warnings
from collections import defaultdict
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger, print_log

from densessl.registry import METRICS

__all__ = ['VolumeMetric', 'volume_scores', 'SCORE_NAMES']

SCORE_NAMES = ('IoU', 'Dice', 'HD95')


def _one_hot(labels: np.ndarray, classes: Sequence[int], valid: np.ndarray) -> torch.Tensor:
    """``(1, len(classes), *spatial)`` float one-hot of ``labels`` restricted to ``valid`` pixels."""
    out = np.stack([(labels == c) & valid for c in classes])[None]
    return torch.from_numpy(out.astype(np.float32))


def volume_scores(pred: np.ndarray,
                  gt: np.ndarray,
                  num_classes: int,
                  include_background: bool = False,
                  spacing: Optional[Sequence[float]] = None,
                  empty_hd95: Union[str, float] = 'max',
                  ignore_index: Optional[int] = 255,
                  metrics: Sequence[str] = SCORE_NAMES) -> Dict[str, np.ndarray]:
    """IoU, Dice and HD95 per class of one volume (or one 2D image), with MONAI's metric functions.

    Args:
        pred (np.ndarray): predicted class indices, ``(D, H, W)`` or ``(H, W)``.
        gt (np.ndarray): ground-truth class indices, same shape.
        num_classes (int): number of classes (background = 0 included).
        include_background (bool): score class 0 too. Defaults to False.
        spacing (sequence of float, optional): voxel size per axis (``(D, H, W)`` order, or ``(H, W)``) for HD95
            in physical units; ``None``: voxel units.
        empty_hd95 (str | float): HD95 when exactly one of prediction / ground truth is empty for a class:
            ``'max'`` (the volume's diagonal), ``'nan'`` (left out) or a number. Defaults to ``'max'``.
        ignore_index (int, optional): ground-truth value scored as neither. Defaults to 255.
        metrics (sequence of str): any of ``'IoU'``, ``'Dice'``, ``'HD95'``.

    Returns:
        dict: metric name -> ``(num_scored_classes,)`` float64 array (IoU / Dice in [0, 1]; NaN where undefined,
        see the module docstring).

    Examples:
        >>> gt = np.zeros((1, 6, 6), np.uint8); gt[0, 1:3, 1:3] = 1
        >>> pred = np.zeros_like(gt); pred[0, 1:3, 1:4] = 1
        >>> s = volume_scores(pred, gt, num_classes=2)
        >>> round(float(s['Dice'][0]), 3), round(float(s['IoU'][0]), 3), float(s['HD95'][0])
        (0.8, 0.667, 1.0)
    """
    from monai.metrics import compute_dice, compute_hausdorff_distance, compute_iou
    bad = [m for m in metrics if m not in SCORE_NAMES]
    if bad:
        raise ValueError(f'unknown metric(s) {bad}; choose from {SCORE_NAMES}')
    pred, gt = np.asarray(pred), np.asarray(gt)
    if pred.shape != gt.shape:
        raise ValueError(f'prediction {pred.shape} and ground truth {gt.shape} differ in shape')
    if pred.ndim == 3 and pred.shape[0] == 1:  # a single slice: 2D surfaces, not the faces of a 1-voxel slab
        pred, gt = pred[0], gt[0]
        spacing = None if spacing is None else tuple(spacing)[-2:]
    if spacing is not None and len(spacing) != pred.ndim:
        raise ValueError(f'spacing {tuple(spacing)} does not match {pred.ndim} spatial axes')
    if not (isinstance(empty_hd95, (int, float)) or empty_hd95 in ('max', 'nan')):
        raise ValueError(f"empty_hd95 must be 'max', 'nan' or a number, got {empty_hd95!r}")
    valid = np.ones(gt.shape, bool) if ignore_index is None else gt != ignore_index
    classes = list(range(0 if include_background else 1, num_classes))
    y_pred, y = _one_hot(pred, classes, valid), _one_hot(gt, classes, valid)
    gt_present = y.flatten(2).sum(-1)[0] > 0
    pred_present = y_pred.flatten(2).sum(-1)[0] > 0
    both_empty = (~gt_present & ~pred_present).numpy()
    one_empty = (gt_present ^ pred_present).numpy()
    out = {}
    if 'IoU' in metrics:
        iou = compute_iou(y_pred, y, include_background=True, ignore_empty=False)[0].double().numpy()
        out['IoU'] = np.where(both_empty, np.nan, np.where(one_empty, 0.0, iou))
    if 'Dice' in metrics:
        dice = compute_dice(y_pred, y, include_background=True, ignore_empty=False)[0].double().numpy()
        out['Dice'] = np.where(both_empty, np.nan, np.where(one_empty, 0.0, dice))
    if 'HD95' in metrics:
        hd = np.full(len(classes), np.nan)
        both = (gt_present & pred_present).numpy()
        if both.any():
            idx = torch.from_numpy(np.flatnonzero(both))
            with warnings.catch_warnings():  # MONAI 1.5+ warns about its own internal use of a deprecated argument
                warnings.filterwarnings('ignore', category=FutureWarning, module='monai')
                hd[both] = compute_hausdorff_distance(
                    y_pred[:, idx], y[:, idx], include_background=True, distance_metric='euclidean', percentile=95,
                    spacing=None if spacing is None else list(spacing))[0].double().numpy()
        if empty_hd95 == 'max':
            sp = np.ones(pred.ndim) if spacing is None else np.asarray(spacing, float)
            worst = math.sqrt(float(np.sum(((np.asarray(pred.shape) - 1) * sp)**2)))
        else:
            worst = np.nan if empty_hd95 == 'nan' else float(empty_hd95)
        hd[one_empty] = worst
        out['HD95'] = hd
    return out


@METRICS.register_module()
class VolumeMetric(BaseMetric):
    """Per-class IoU, Dice and HD95 computed per volume (slices regrouped by ``volume_id``), averaged over volumes.

    A data sample with ``volume_id`` and ``num_slices`` in its metainfo is a slice of a volume (keep them in
    ``PackSegInputs(meta_keys=...)``, as the ACDC configs do); any other sample is scored as a 2D image of its own
    (per-image Dice / HD95 of 2D datasets). See the module docstring for the empty-class rules.

    Args:
        scores (sequence of str): scores to compute, of ``'IoU'``, ``'Dice'``, ``'HD95'`` (not named ``metrics``:
            MMEngine reads a ``metrics`` key as an evaluator config).
        include_background (bool): score class 0 too. Defaults to False (the field's convention).
        spacing (sequence of float, optional): voxel size (``(D, H, W)``) for HD95; ``None``: voxel units.
        empty_hd95 (str | float): HD95 of a class present in only one of prediction / ground truth
            (``'max'``, ``'nan'`` or a number). Defaults to ``'max'``.
        ignore_index (int): ground-truth value scored as neither. Defaults to 255.
        collect_device (str): ``'cpu'`` or ``'gpu'``, as every MMEngine metric.
        prefix (str, optional): prefix of the metric names (e.g. ``'volume'`` next to an ``IoUMetric``).

    Returns (of :meth:`compute_metrics`): ``m<score>`` (mean over classes of the per-class means over volumes;
    IoU / Dice in %, HD95 in voxels or spacing units), ``<score>.<class>`` for each class, and ``num_volumes``.
    After evaluation :attr:`class_table` (one row per class) and :attr:`volume_table` (one row per volume) hold the
    numbers for reports (``tools/test.py`` writes them as JSON and CSV).

    Raises:
        ValueError: a volume is incomplete (fewer slices than ``num_slices``), or its slices differ in shape.
    """

    default_prefix = None

    def __init__(self,
                 scores: Sequence[str] = SCORE_NAMES,
                 include_background: bool = False,
                 spacing: Optional[Sequence[float]] = None,
                 empty_hd95: Union[str, float] = 'max',
                 ignore_index: int = 255,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 **kwargs) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        metrics = [scores] if isinstance(scores, str) else list(scores)
        bad = [m for m in metrics if m not in SCORE_NAMES]
        if bad or not metrics:
            raise ValueError(f'VolumeMetric: unknown score(s) {bad or metrics}; choose from {SCORE_NAMES}')
        if not (isinstance(empty_hd95, (int, float)) or empty_hd95 in ('max', 'nan')):
            raise ValueError(f"VolumeMetric: empty_hd95 must be 'max', 'nan' or a number, got {empty_hd95!r}")
        self.metrics = metrics
        self.include_background = include_background
        self.spacing = None if spacing is None else tuple(float(s) for s in spacing)
        self.empty_hd95 = empty_hd95
        self.ignore_index = ignore_index
        self.class_table: List[dict] = []
        self.volume_table: List[dict] = []

    @property
    def _num_classes(self) -> int:
        return len(self.dataset_meta['classes'])

    def _scores(self, pred: np.ndarray, gt: np.ndarray) -> Dict[str, np.ndarray]:
        return volume_scores(pred, gt, self._num_classes, include_background=self.include_background,
                             spacing=self.spacing, empty_hd95=self.empty_hd95, ignore_index=self.ignore_index,
                             metrics=self.metrics)

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Keep each slice (by volume) or score each 2D image."""
        for sample in data_samples:
            pred = sample['pred_sem_seg']['data'].squeeze(0).cpu().numpy().astype(np.uint8)
            if 'gt_sem_seg' not in sample:
                raise ValueError(f'VolumeMetric: no ground truth for {sample.get("img_path")}; load the labels in '
                                 'the test pipeline (LoadH5Annotations / LoadCheckedAnnotations)')
            gt = sample['gt_sem_seg']['data'].squeeze(0).cpu().numpy().astype(np.uint8)
            num_slices = sample.get('num_slices')
            if num_slices is None or sample.get('volume_id') is None:
                name = sample.get('volume_id') or sample.get('img_path')
                self.results.append(('image', name, self._scores(pred[None], gt[None])))
            else:
                self.results.append(('slice', sample['volume_id'], int(sample['slice_index']), int(num_slices),
                                     pred, gt))

    def _volumes(self, results: list):
        slices = defaultdict(dict)
        depth = {}
        for item in results:
            if item[0] == 'image':
                yield item[1], 1, item[2]
                continue
            _, vid, k, n, pred, gt = item
            slices[vid][k] = (pred, gt)
            depth[vid] = n
        for vid in sorted(slices):
            got = slices[vid]
            n = depth[vid]
            if sorted(got) != list(range(n)):
                missing = sorted(set(range(n)) - set(got))
                raise ValueError(f'VolumeMetric: volume {vid} has {len(got)} of its {n} slices (missing '
                                 f'{missing[:10]}); evaluate every slice of each volume (no sampler that drops '
                                 'or subsamples data)')
            shapes = {got[k][0].shape for k in range(n)}
            if len(shapes) > 1:
                raise ValueError(f'VolumeMetric: the slices of volume {vid} differ in shape: {sorted(shapes)}')
            pred = np.stack([got[k][0] for k in range(n)])
            gt = np.stack([got[k][1] for k in range(n)])
            yield vid, n, self._scores(pred, gt)

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """Score every volume, then average per class over volumes and over classes."""
        names = list(self.dataset_meta['classes'])
        scored = names if self.include_background else names[1:]
        per_volume = list(self._volumes(results))
        if not per_volume:
            raise ValueError('VolumeMetric: nothing to evaluate (no sample was processed)')
        self.volume_table = []
        for vid, depth, scores in per_volume:
            row = dict(volume=vid, slices=depth)
            for m in self.metrics:
                for c, v in zip(scored, scores[m]):
                    row[f'{m}.{c}'] = _pct(v, m)
            self.volume_table.append(row)
        out: Dict[str, float] = {}
        self.class_table = [dict({'class': c}) for c in scored]
        for m in self.metrics:
            stacked = np.stack([s[m] for _, _, s in per_volume])  # (V, C)
            counts = np.isfinite(stacked).sum(0)
            with np.errstate(invalid='ignore'):
                means = np.where(counts > 0, np.nansum(np.where(np.isfinite(stacked), stacked, 0), 0) /
                                 np.maximum(counts, 1), np.nan)
            for row, mean, cnt in zip(self.class_table, means, counts):
                row[m] = _pct(mean, m)
                row[f'{m} volumes'] = int(cnt)
                out[f'{m}.{row["class"]}'] = _pct(mean, m)
            finite = means[np.isfinite(means)]
            out[f'm{m}'] = _pct(float(finite.mean()) if finite.size else float('nan'), m)
        out['num_volumes'] = len(per_volume)
        self._log_table(len(per_volume))
        return out

    def _log_table(self, num_volumes: int) -> None:
        from prettytable import PrettyTable
        table = PrettyTable()
        table.add_column('Class', [r['class'] for r in self.class_table])
        for m in self.metrics:
            table.add_column(m, [_fmt(r[m]) for r in self.class_table])
        print_log(f'per-class results, mean over {num_volumes} volume(s):\n' + table.get_string(),
                  logger=MMLogger.get_current_instance())


def _pct(v: float, metric: str) -> float:
    v = float(v)
    if math.isnan(v):
        return v
    return round(v * 100, 2) if metric in ('IoU', 'Dice') else round(v, 2)


def _fmt(v: float) -> str:
    return 'nan' if v is None or (isinstance(v, float) and math.isnan(v)) else f'{v:.2f}'
