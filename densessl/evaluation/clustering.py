"""Clustering accuracy of learned features: k-means, then the best one-to-one matching of clusters to classes
(Hungarian algorithm, :func:`scipy.optimize.linear_sum_assignment`), as the seed papers judge pretrained
features without training a classifier.

- :func:`clustering_accuracy`: accuracy of a cluster assignment under the best cluster -> class matching.
- :func:`kmeans`: Lloyd's k-means with k-means++ seeding and several restarts (torch, deterministic per seed).
- :func:`minibatch_kmeans`: mini-batch k-means for large point sets (a NumPy memmap is read batch by batch).
- :func:`feature_clustering_accuracy`: both together on a feature matrix.
- :class:`ClusteringAccuracy`: the same as an MMEngine metric over the ``feat`` field of predicted data samples
  (:class:`~densessl.models.classifiers.SemiBaseClassifier` attaches it with
  ``semi_test_cfg=dict(attach_features=True)``).
"""
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from scipy.optimize import linear_sum_assignment
from torch import Tensor

from densessl.registry import METRICS

__all__ = [
    'hungarian_match', 'clustering_accuracy', 'kmeans', 'minibatch_kmeans', 'feature_clustering_accuracy',
    'ClusteringAccuracy'
]


def _as_int_array(x, name: str) -> np.ndarray:
    arr = x.detach().cpu().numpy() if isinstance(x, Tensor) else np.asarray(x)
    if arr.ndim != 1:
        raise ValueError(f'{name} must be one label per sample (1-D), got shape {arr.shape}')
    if arr.size and (arr.min() < 0 or not np.issubdtype(arr.dtype, np.integer)):
        raise ValueError(f'{name} must hold non-negative integers')
    return arr.astype(np.int64)


def hungarian_match(y_true, y_pred) -> Dict[int, int]:
    """The cluster -> class mapping that maximises the number of matched samples.

    Args:
        y_true (array-like): class of every sample, ``(N,)`` non-negative integers.
        y_pred (array-like): cluster of every sample, ``(N,)`` non-negative integers (any number of clusters).

    Returns:
        dict[int, int]: cluster id -> class id for the matched clusters (with more clusters than classes, the
        extra clusters stay unmatched and count as errors).

    Examples:
        >>> hungarian_match([0, 0, 1, 1], [1, 1, 0, 0])
        {0: 1, 1: 0}
    """
    y_true = _as_int_array(y_true, 'y_true')
    y_pred = _as_int_array(y_pred, 'y_pred')
    if y_true.shape != y_pred.shape:
        raise ValueError(f'y_true {y_true.shape} and y_pred {y_pred.shape} differ in length')
    size = max(int(y_true.max(initial=0)), int(y_pred.max(initial=0))) + 1
    counts = np.zeros((size, size), dtype=np.int64)  # counts[cluster, class]
    np.add.at(counts, (y_pred, y_true), 1)
    rows, cols = linear_sum_assignment(counts, maximize=True)
    used_clusters = set(np.unique(y_pred).tolist())
    return {int(r): int(c) for r, c in zip(rows, cols) if r in used_clusters}


def clustering_accuracy(y_true, y_pred) -> float:
    """Share of samples whose cluster maps to their class under :func:`hungarian_match`.

    Returns:
        float: accuracy in ``[0, 1]`` (invariant to a permutation of the cluster ids).

    Examples:
        >>> clustering_accuracy([0, 0, 1, 1, 2], [2, 2, 0, 1, 1])
        0.8
    """
    y_true = _as_int_array(y_true, 'y_true')
    y_pred = _as_int_array(y_pred, 'y_pred')
    if y_true.size == 0:
        raise ValueError('clustering_accuracy of an empty set of samples')
    mapping = hungarian_match(y_true, y_pred)
    mapped = np.array([mapping.get(int(c), -1) for c in y_pred])
    return float((mapped == y_true).mean())


def kmeans(x: Tensor, k: int, n_init: int = 5, max_iter: int = 100, tol: float = 1e-6,
           seed: int = 0) -> Tuple[Tensor, Tensor, float]:
    """Lloyd's k-means with k-means++ seeding; the restart with the lowest inertia wins.

    Args:
        x (Tensor): points.
        k (int): number of clusters, ``1 <= k <= N``.
        n_init (int): restarts. Defaults to 5.
        max_iter (int): iterations per restart. Defaults to 100.
        tol (float): stop when the centres move less than this (squared, summed). Defaults to 1e-6.
        seed (int): seed of the seeding draws.

    Shape:
        - x: :math:`(N, D)`
        - output: labels :math:`(N,)`, centres :math:`(k, D)`

    Returns:
        tuple[Tensor, Tensor, float]: cluster of every point, the centres and the inertia (sum of squared
        distances to the assigned centres).
    """
    x = torch.as_tensor(x, dtype=torch.float64)
    if x.dim() != 2:
        raise ValueError(f'kmeans needs (N, D) points, got {tuple(x.shape)}')
    n = x.shape[0]
    if not 1 <= k <= n:
        raise ValueError(f'k must be in [1, {n}], got {k}')
    gen = torch.Generator().manual_seed(seed)
    best = None
    for _ in range(max(1, n_init)):
        # k-means++ seeding
        centres = [x[torch.randint(n, (1, ), generator=gen)].squeeze(0)]
        d2 = ((x - centres[0])**2).sum(1)
        for _ in range(1, k):
            probs = d2 / d2.sum() if d2.sum() > 0 else torch.full_like(d2, 1.0 / n)
            idx = torch.multinomial(probs, 1, generator=gen)
            centres.append(x[idx].squeeze(0))
            d2 = torch.minimum(d2, ((x - centres[-1])**2).sum(1))
        c = torch.stack(centres)
        for _ in range(max_iter):
            labels = torch.cdist(x, c).argmin(1)
            new = c.clone()
            for j in range(k):
                members = x[labels == j]
                if len(members):
                    new[j] = members.mean(0)
            shift = ((new - c)**2).sum()
            c = new
            if shift <= tol:
                break
        labels = torch.cdist(x, c).argmin(1)
        inertia = float(((x - c[labels])**2).sum())
        if best is None or inertia < best[2]:
            best = (labels, c, inertia)
    return best


def feature_clustering_accuracy(features: Tensor, labels, num_clusters: Optional[int] = None,
                                normalize: bool = True, n_init: int = 5, seed: int = 0) -> float:
    """k-means on ``features`` with as many clusters as classes, scored by :func:`clustering_accuracy`.

    Args:
        features (Tensor): ``(N, D)`` features.
        labels (array-like): ``(N,)`` classes.
        num_clusters (int, optional): defaults to the number of distinct labels.
        normalize (bool): L2-normalise the features first (cosine geometry). Defaults to True.
        n_init (int), seed (int): as :func:`kmeans`.

    Returns:
        float: clustering accuracy in ``[0, 1]``.
    """
    labels = _as_int_array(labels, 'labels')
    feats = torch.as_tensor(features, dtype=torch.float64).flatten(1)
    if feats.shape[0] != labels.shape[0]:
        raise ValueError(f'{feats.shape[0]} features but {labels.shape[0]} labels')
    if normalize:
        feats = torch.nn.functional.normalize(feats, dim=1)
    k = num_clusters or len(np.unique(labels))
    assign, _, _ = kmeans(feats, k, n_init=n_init, seed=seed)
    return clustering_accuracy(labels, assign.numpy())


@METRICS.register_module()
class ClusteringAccuracy(BaseMetric):
    """k-means + Hungarian clustering accuracy (in %) of the ``feat`` field of predicted samples.

    Args:
        num_clusters (int, optional): defaults to the number of distinct labels.
        normalize (bool): L2-normalise the features. Defaults to True.
        n_init (int): k-means restarts. Defaults to 5.
        seed (int): k-means seed. Defaults to 0.
        collect_device (str), prefix (str, optional): as MMEngine's ``BaseMetric`` (prefix defaults to
            ``'clustering'``).

    Raises:
        KeyError: (while processing) a predicted sample has no ``feat`` field.
    """

    default_prefix = 'clustering'

    def __init__(self, num_clusters: Optional[int] = None, normalize: bool = True, n_init: int = 5, seed: int = 0,
                 collect_device: str = 'cpu', prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.num_clusters = num_clusters
        self.normalize = normalize
        self.n_init = n_init
        self.seed = seed

    def process(self, data_batch, data_samples: Sequence) -> None:
        for s in data_samples:
            get = s.get if isinstance(s, dict) else (lambda k, d=None, s=s: getattr(s, k, d))
            feat, label = get('feat'), get('gt_label')
            if feat is None:
                raise KeyError('ClusteringAccuracy needs a `feat` field on every predicted sample: set '
                               "semi_test_cfg=dict(attach_features=True) on the classifier")
            label = int(torch.as_tensor(label).view(-1)[0])
            self.results.append((torch.as_tensor(feat).detach().cpu().flatten(), label))

    def compute_metrics(self, results: List) -> Dict[str, float]:
        feats = torch.stack([r[0] for r in results])
        labels = np.array([r[1] for r in results])
        acc = feature_clustering_accuracy(feats, labels, self.num_clusters, self.normalize, self.n_init, self.seed)
        return {'accuracy': 100.0 * acc}


def _rows(x, idx) -> Tensor:
    """Rows ``idx`` (sorted, 1-D) of a Tensor or a NumPy array / memmap, as a float32 Tensor."""
    if isinstance(x, Tensor):
        return x[torch.as_tensor(idx)].float()
    return torch.from_numpy(np.array(x[np.asarray(idx)], dtype=np.float32))


def minibatch_kmeans(x, k: int, batch_size: int = 2048, max_iter: int = 100, n_init: int = 3,
                     init_size: Optional[int] = None, chunk_size: int = 16384,
                     seed: int = 0) -> Tuple[Tensor, Tensor, float]:
    """Mini-batch k-means (Sculley, *Web-scale k-means clustering*, WWW 2010) for point sets too large for
    :func:`kmeans`: memory is bounded by a batch and a chunk, not by ``N``.

    Seeding: ``n_init`` k-means++ seedings (each refined by a few Lloyd steps, :func:`kmeans`) of a random subset of
    ``init_size`` points; the one with the lowest inertia on that subset wins. Then ``max_iter`` random batches:
    every centre moves to the running mean of all points ever assigned to it (per-centre rate ``1 / count``).
    Finally every point is assigned in chunks of ``chunk_size``.

    Args:
        x (Tensor | np.ndarray): points; a NumPy memmap is read batch by batch (features on disk).
        k (int): number of clusters, ``1 <= k <= N``.
        batch_size (int): points per update. Defaults to 2048.
        max_iter (int): number of batches. Defaults to 100.
        n_init (int): seedings tried. Defaults to 3.
        init_size (int, optional): points of the seeding subset; defaults to ``min(N, max(3 * batch_size, 3 * k))``.
        chunk_size (int): points per chunk of the final assignment. Defaults to 16384.
        seed (int): seed of every random draw; the same seed gives the same result.

    Shape:
        - x: :math:`(N, D)`
        - output: labels :math:`(N,)`, centres :math:`(k, D)` (float32)

    Returns:
        tuple[Tensor, Tensor, float]: cluster of every point, the centres and the inertia (sum of squared
        distances to the assigned centres), as :func:`kmeans`.

    Examples:
        >>> x = torch.cat([torch.zeros(50, 2), torch.full((50, 2), 5.)]) + 0.1 * torch.randn(100, 2)
        >>> labels, centres, _ = minibatch_kmeans(x, 2, batch_size=32, max_iter=20)
        >>> bool((labels[:50] == labels[0]).all() and (labels[50:] == labels[50]).all() and labels[0] != labels[50])
        True
    """
    if len(getattr(x, 'shape', ())) != 2:
        raise ValueError(f'minibatch_kmeans needs (N, D) points, got shape {tuple(getattr(x, "shape", ()))}')
    n = int(x.shape[0])
    if not 1 <= k <= n:
        raise ValueError(f'k must be in [1, {n}], got {k}')
    if batch_size < 1 or max_iter < 0 or chunk_size < 1:
        raise ValueError(f'batch_size and chunk_size must be >= 1 and max_iter >= 0, got {batch_size}, '
                         f'{chunk_size}, {max_iter}')
    gen = torch.Generator().manual_seed(seed)
    init_size = min(n, init_size or max(3 * batch_size, 3 * k))
    init_size = max(init_size, k)
    sub = _rows(x, torch.sort(torch.randperm(n, generator=gen)[:init_size]).values)
    best = None
    for r in range(max(1, n_init)):
        _, c, inertia = kmeans(sub, k, n_init=1, max_iter=3, seed=seed * 1000 + r)
        if best is None or inertia < best[1]:
            best = (c.float(), inertia)
    centres = best[0].clone()
    counts = torch.zeros(k, dtype=torch.float32)
    for _ in range(max_iter):
        idx = torch.sort(torch.randint(n, (min(batch_size, n), ), generator=gen)).values
        xb = _rows(x, idx)
        assign = torch.cdist(xb, centres).argmin(1)
        batch_counts = torch.bincount(assign, minlength=k).float()
        sums = torch.zeros_like(centres).index_add_(0, assign, xb)
        hit = batch_counts > 0
        new_counts = counts + batch_counts
        centres[hit] = (centres[hit] * counts[hit, None] + sums[hit]) / new_counts[hit, None]
        counts = new_counts
    labels = torch.empty(n, dtype=torch.long)
    inertia = 0.0
    for start in range(0, n, chunk_size):
        xb = _rows(x, np.arange(start, min(start + chunk_size, n)))
        d = torch.cdist(xb, centres)
        m, a = d.min(1)
        labels[start:start + len(xb)] = a
        inertia += float((m.double()**2).sum())
    return labels, centres, inertia
