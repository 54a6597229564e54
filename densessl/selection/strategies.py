"""Which images to annotate: choose ``budget`` images of an unlabeled pool from their features.

Every strategy is a function of a feature array and the budget, deterministic for a seed, that returns a
:class:`Selection` (the chosen indices in pick order, and what the choice was based on)::

    pooled features (N, D)  ── random   uniform draw (the baseline; the same draw as make_split on sorted names)
                            ├─ kmeans   k-means with K = budget (mini-batch for large pools); per centre its
                            │           nearest image                                    (AS3L's idea, simplified)
                            ├─ as3l     AS3L's consistent-cluster medians (densessl.selection.as3l.active_selection)
                            └─ coreset  greedy k-center: always the image farthest from everything chosen
    region features (N, R, D) ─ dense   regions -> k-means "words" (appearance modes of object parts and stuff);
                                        greedy weighted max coverage of the words, word w weighted by
                                        size_w ** beta (beta < 1 lifts rare appearances); each pick is the image
                                        whose regions cover the most uncovered weight, ties broken by the
                                        facility-location gain of its regions' similarity to the words; once every
                                        word is covered a new round starts (each mode seen twice, ...)

The features are used as given (Euclidean geometry): :mod:`densessl.selection.features` writes them
L2-normalised, so distances there are cosine distances. Arrays may be NumPy memmaps (features on disk): the
large-pool paths (mini-batch k-means, k-center, the word similarities) read them in chunks.
"""
import random
from typing import Dict, List, NamedTuple, Optional, Sequence, Union

import numpy as np
import torch
from torch import Tensor

from densessl.evaluation.clustering import kmeans, minibatch_kmeans
from .as3l import active_selection

__all__ = [
    'STRATEGIES', 'Selection', 'parse_budget', 'select_random', 'select_kmeans', 'select_as3l', 'select_coreset',
    'select_dense', 'select'
]

#: strategies that need pooled image features / region features
POOLED_STRATEGIES = ('kmeans', 'as3l', 'coreset')
REGION_STRATEGIES = ('dense', )
STRATEGIES = ('random', ) + POOLED_STRATEGIES + REGION_STRATEGIES
#: above this many points ``minibatch=None`` switches k-means to :func:`minibatch_kmeans`
MINIBATCH_ABOVE = 5000
_CHUNK = 16384


class Selection(NamedTuple):
    """The chosen images.

    Attributes:
        indices (list[int]): indices into the pool, in pick order (most important first where the strategy ranks).
        info (dict): JSON-ready details: ``strategy``, ``per_pick`` (name -> one value per pick: distances, cluster
            sizes, gains), and strategy-wide values (inertia, cover radius, word sizes, ...).
    """
    indices: List[int]
    info: Dict


def parse_budget(budget: Union[int, str], pool_size: int) -> int:
    """The number of images to label: an integer, or a percentage of the pool (``'2%'``, at least one image).

    Raises:
        ValueError: the pool is empty, or the budget is not a positive number of at most ``pool_size`` images.

    Examples:
        >>> parse_budget('2%', 1000), parse_budget(7, 10)
        (20, 7)
    """
    if pool_size < 1:
        raise ValueError('the pool of images is empty: nothing to choose from')
    text = str(budget).strip()
    try:
        if text.endswith('%'):
            pct = float(text[:-1])
            if not 0 < pct <= 100:
                raise ValueError
            n = max(1, int(round(pct / 100 * pool_size)))
        else:
            n = int(text)
    except ValueError:
        raise ValueError(f'budget must be a number of images or a percentage such as "2%", got {budget!r}') from None
    if n < 1:
        raise ValueError(f'budget must be at least 1 image, got {n}')
    if n > pool_size:
        raise ValueError(f'budget {n} is larger than the pool ({pool_size} images): choose at most {pool_size}')
    return n


def _check(n: int, budget: int) -> None:
    if n < 1:
        raise ValueError('the pool of images is empty: nothing to choose from')
    if not 1 <= budget <= n:
        raise ValueError(f'budget must be in [1, {n}] (the pool size), got {budget}')


def _rows(x, start: int, stop: int) -> Tensor:
    if isinstance(x, Tensor):
        return x[start:stop].float()
    return torch.from_numpy(np.array(x[start:stop], dtype=np.float32))


def _row(x, i: int) -> Tensor:
    return _rows(x, i, i + 1)[0]


def _check_2d(feats, what: str = 'pooled features') -> int:
    if len(getattr(feats, 'shape', ())) != 2:
        raise ValueError(f'{what} must be an (N, D) array, got shape {tuple(getattr(feats, "shape", ()))}')
    return int(feats.shape[0])


def select_random(n: int, budget: int, seed: int = 0) -> Selection:
    """A uniform draw of ``budget`` of ``n`` images: the baseline (today's split files).

    For names sorted alphabetically the draw equals :func:`densessl.datasets.splits.make_split`'s with the same
    seed (``random.Random(seed).sample`` of the positions).

    Examples:
        >>> select_random(10, 3, seed=0).indices
        [6, 9, 0]
    """
    _check(n, budget)
    return Selection(random.Random(seed).sample(range(n), budget), dict(strategy='random', seed=seed, per_pick={}))


def _nearest_rows(x, centres: Tensor, m: int, chunk_size: int = _CHUNK):
    """The ``m`` rows of ``x`` nearest to each centre: distances and indices, both ``(K, m)``, ascending."""
    n = int(x.shape[0])
    k = len(centres)
    best_d = torch.full((k, 0), float('inf'))
    best_i = torch.zeros((k, 0), dtype=torch.long)
    for start in range(0, n, chunk_size):
        xb = _rows(x, start, min(start + chunk_size, n))
        d = torch.cdist(centres, xb)
        d = torch.cat([best_d, d], 1)
        i = torch.cat([best_i, torch.arange(start, start + xb.shape[0]).expand(k, -1)], 1)
        # stable sort: equal distances keep the lower index first
        order = torch.sort(d, dim=1, stable=True).indices[:, :m]
        best_d, best_i = d.gather(1, order), i.gather(1, order)
    return best_d, best_i


def _assign(x, centres: Tensor, chunk_size: int = _CHUNK):
    """Nearest centre and its distance for every row of ``x`` (chunked)."""
    n = int(x.shape[0])
    labels = torch.empty(n, dtype=torch.long)
    dists = torch.empty(n)
    for start in range(0, n, chunk_size):
        xb = _rows(x, start, min(start + chunk_size, n))
        d, a = torch.cdist(xb, centres).min(1)
        labels[start:start + len(xb)], dists[start:start + len(xb)] = a, d
    return labels, dists


def _cluster(x, k: int, seed: int, minibatch: Optional[bool], n_init: int, max_iter: int, batch_size: int):
    n = int(x.shape[0])
    use_mb = n > MINIBATCH_ABOVE if minibatch is None else bool(minibatch)
    if use_mb:
        labels, centres, inertia = minibatch_kmeans(x, k, batch_size=batch_size, max_iter=max_iter, n_init=n_init,
                                                    seed=seed)
    else:
        full = x.double() if isinstance(x, Tensor) else torch.from_numpy(np.asarray(x, dtype=np.float64))
        labels, centres, inertia = kmeans(full, k, n_init=n_init, max_iter=max_iter, seed=seed)
    return labels, centres.float(), inertia, use_mb


def select_kmeans(feats, budget: int, seed: int = 0, minibatch: Optional[bool] = None, n_init: int = 5,
                  max_iter: int = 100, batch_size: int = 2048) -> Selection:
    """k-means with ``K = budget`` on the pooled features; for each centre the nearest image (each image once).

    Args:
        feats (Tensor | np.ndarray): pooled image features (a memmap works).
        budget (int): images to choose.
        seed (int): k-means seed.
        minibatch (bool, optional): use :func:`~densessl.evaluation.clustering.minibatch_kmeans`; ``None``
            (default) does above :data:`MINIBATCH_ABOVE` images.
        n_init, max_iter, batch_size: k-means restarts, iterations (batches when mini-batch) and batch size.

    Shape:
        - feats: :math:`(N, D)`

    Returns:
        Selection: picks ordered by cluster size (largest first); ``info['per_pick']`` holds ``distance`` (to its
        centre) and ``cluster_size`` (images of its cluster); ``info['inertia']`` the k-means inertia.

    Examples:
        >>> x = torch.tensor([[0., 0.], [0., 1.], [0., 2.], [10., 0.], [10., 1.]])
        >>> select_kmeans(x, 2).indices  # the middle of the 3-point cluster, then one of the 2-point cluster
        [1, 3]
    """
    n = _check_2d(feats)
    _check(n, budget)
    labels, centres, inertia, use_mb = _cluster(feats, budget, seed, minibatch, n_init, max_iter, batch_size)
    m = min(n, budget + 1)
    best_d, best_i = _nearest_rows(feats, centres, m)
    taken: Dict[int, int] = {}  # image -> centre
    pick_of: Dict[int, int] = {}
    dist_of: Dict[int, float] = {}
    for j in torch.argsort(best_d[:, 0], stable=True).tolist():  # surest centres first
        for d, i in zip(best_d[j].tolist(), best_i[j].tolist()):
            if i not in taken:
                taken[i], pick_of[j], dist_of[j] = j, i, d
                break
    sizes = torch.bincount(labels, minlength=budget)
    order = sorted(pick_of, key=lambda j: (-int(sizes[j]), j))
    return Selection([pick_of[j] for j in order],
                     dict(strategy='kmeans', seed=seed, minibatch=use_mb, inertia=inertia,
                          per_pick=dict(distance=[round(dist_of[j], 6) for j in order],
                                        cluster_size=[int(sizes[j]) for j in order])))


def select_coreset(feats, budget: int, selected: Optional[Sequence[int]] = None, first: Optional[int] = None,
                   chunk_size: int = _CHUNK) -> Selection:
    """Greedy k-center (Sener & Savarese's core-set): each pick is the image farthest from all chosen ones.

    Args:
        feats (Tensor | np.ndarray): pooled image features (a memmap works: read in chunks).
        budget (int): images to choose (in addition to ``selected``).
        selected (sequence[int], optional): images already labeled: the cover continues from them.
        first (int, optional): the first pick when nothing is selected; defaults to the image nearest to the mean
            feature (the most central one, deterministic).
        chunk_size (int): rows per chunk.

    Shape:
        - feats: :math:`(N, D)`

    Returns:
        Selection: picks in order; ``info['per_pick']`` holds ``distance`` (to the nearest earlier pick, ``None``
        for a first pick) and ``cluster_size`` (images nearest to the pick); ``info['radius']`` is the largest
        distance of any image to its nearest pick (the cover radius).

    Examples:
        >>> x = torch.tensor([[0., 0.], [1., 0.], [5., 0.], [2., 0.]])
        >>> select_coreset(x, 2, first=0).indices  # after 0 the farthest point is 5
        [0, 2]
    """
    n = _check_2d(feats)
    prior = [int(i) for i in (selected or [])]
    if len(set(prior)) != len(prior) or any(not 0 <= i < n for i in prior):
        raise ValueError(f'selected must be distinct indices in [0, {n})')
    _check(n - len(prior), budget)
    min_d = torch.full((n, ), float('inf'))
    chosen: List[int] = []

    def cover(i: int) -> None:
        c = _row(feats, i)[None]
        for start in range(0, n, chunk_size):
            xb = _rows(feats, start, min(start + chunk_size, n))
            min_d[start:start + len(xb)] = torch.minimum(min_d[start:start + len(xb)], torch.cdist(xb, c)[:, 0])

    for i in prior:
        cover(i)
    distances: List[Optional[float]] = []
    if not prior:
        if first is None:
            total = torch.zeros(feats.shape[1], dtype=torch.float64)
            for start in range(0, n, chunk_size):
                total += _rows(feats, start, min(start + chunk_size, n)).double().sum(0)
            mean = (total / n).float()[None]
            first = int(_assign(feats, mean, chunk_size)[1].argmin())
        if not 0 <= first < n:
            raise ValueError(f'first must be in [0, {n}), got {first}')
        chosen.append(int(first))
        distances.append(None)
        cover(first)
    taken = torch.zeros(n, dtype=torch.bool)
    taken[prior + chosen] = True
    while len(chosen) < budget:
        d = min_d.masked_fill(taken, -1.0)
        i = int(d.argmax())
        chosen.append(i)
        distances.append(round(float(d[i]), 6))
        taken[i] = True
        cover(i)
    centres = torch.stack([_row(feats, i) for i in prior + chosen])
    labels, _ = _assign(feats, centres, chunk_size)
    sizes = torch.bincount(labels, minlength=len(centres))[len(prior):]
    return Selection(chosen, dict(strategy='coreset', per_pick=dict(distance=distances, cluster_size=sizes.tolist()),
                                  radius=round(float(min_d.max()), 6), already_labeled=len(prior)))


def select_as3l(feats, budget: int, seed: int = 0, num_runs: int = 5) -> Selection:
    """AS3L's single-shot selection (:func:`densessl.selection.as3l.active_selection`): the medians of the members
    that ``num_runs`` k-means runs (``K = budget``) put together. Clusters that end empty leave picks short; the rest
    is filled by k-center from the medians. Holds the features in memory (for pools of up to ~10^5 images).

    Returns:
        Selection: the medians (sorted), then any k-center fill; ``info['medians']`` is their number.
    """
    n = _check_2d(feats)
    _check(n, budget)
    x = feats.double() if isinstance(feats, Tensor) else torch.from_numpy(np.asarray(feats, dtype=np.float64))
    medians = active_selection(x, budget, num_runs=num_runs, seed=seed, normalize=False).tolist()
    fill = select_coreset(x.float(), budget - len(medians), selected=medians).indices if len(medians) < budget \
        else []
    return Selection(medians + fill, dict(strategy='as3l', seed=seed, num_runs=num_runs, medians=len(medians),
                                          per_pick={}))


def _word_similarity(regions, centres: Tensor, chunk_size: int) -> Tensor:
    """``S[i, w]``: the largest similarity (dot product, clamped at 0) of a region of image ``i`` to word ``w``."""
    n, r, _ = regions.shape
    unit = torch.nn.functional.normalize(centres, dim=1)
    out = torch.empty(n, len(centres))
    step = max(1, chunk_size // max(r, 1))
    for start in range(0, n, step):
        stop = min(start + step, n)
        rb = regions[start:stop].float() if isinstance(regions, Tensor) else \
            torch.from_numpy(np.array(regions[start:stop], dtype=np.float32))
        out[start:stop] = (rb @ unit.T).amax(1).clamp_min(0)
    return out


def select_dense(regions, budget: int, num_words: Optional[int] = None, beta: float = 0.5, seed: int = 0,
                 minibatch: Optional[bool] = None, n_init: int = 3, max_iter: int = 100, batch_size: int = 2048,
                 chunk_size: int = _CHUNK) -> Selection:
    """Segmentation-aware choice: cover the appearance modes of image *regions*, rare ones included.

    1. k-means of all region features into ``num_words`` words (mini-batch for large pools);
    2. word ``w`` weighs ``size_w ** beta`` (``beta = 1``: by area; ``beta = 0``: every mode equally, however
       rare; ``0.5`` by default);
    3. greedy weighted max coverage: each pick is the image whose regions fall into the most uncovered weight;
       ties go to the image with the largest facility-location gain
       :math:`\\sum_w m_w \\max(0, S_{iw} - \\max_{j \\in chosen} S_{jw})`, :math:`S_{iw}` the best similarity of
       a region of image ``i`` to word ``w``; when every word is covered, a new round begins.

    Images with several objects, and objects or backgrounds in rare appearances, cover many words: at small
    budgets they are chosen before near-duplicates of frequent scenes. Memory: the regions are read in chunks;
    the image-word matrices take :math:`O(N \\cdot num\\_words)` floats (40 MB for 10 000 images, 500 words).

    Args:
        regions (Tensor | np.ndarray): region features of every image (a memmap works).
        budget (int): images to choose.
        num_words (int, optional): k-means words; defaults to ``max(32, 4 * budget)`` (at most ``N * R``).
        beta (float): exponent of the word weights, in ``[0, 1]``.
        seed (int): k-means seed.
        minibatch (bool, optional): mini-batch k-means; ``None`` (default) above :data:`MINIBATCH_ABOVE` regions.
        n_init, max_iter, batch_size, chunk_size: k-means settings and rows per chunk.

    Shape:
        - regions: :math:`(N, R, D)`

    Returns:
        Selection: picks in order; ``info['per_pick']`` holds ``gain`` (newly covered word weight) and
        ``words_covered`` (after the pick, in the current round); ``info`` also ``word_sizes`` (regions per word),
        ``rounds`` and ``weight_covered`` (share of the word weight the first round covered).
    """
    if len(getattr(regions, 'shape', ())) != 3:
        raise ValueError(f'region features must be an (N, R, D) array, got shape '
                         f'{tuple(getattr(regions, "shape", ()))}')
    if not 0 <= beta <= 1:
        raise ValueError(f'beta must be in [0, 1], got {beta}')
    n, r, d = (int(s) for s in regions.shape)
    _check(n, budget)
    k = min(n * r, num_words or max(32, 4 * budget))
    flat = regions.reshape(n * r, d)
    labels, centres, _, use_mb = _cluster(flat, k, seed, minibatch, n_init, max_iter, batch_size)
    sizes = torch.bincount(labels, minlength=k)
    weight = sizes.float().pow(beta) * (sizes > 0)
    hard = torch.zeros(n, k)  # 1 where image i has a region in word w
    hard[torch.arange(n).repeat_interleave(r), labels] = 1.0
    sim = _word_similarity(regions, centres, chunk_size)
    covered = torch.zeros(k, dtype=torch.bool)
    best_sim = torch.zeros(k)
    taken = torch.zeros(n, dtype=torch.bool)
    chosen, gains, n_covered = [], [], []
    rounds, first_round_weight = 1, None
    total = float(weight.sum())
    for _ in range(budget):
        hard_gain = hard @ weight.masked_fill(covered, 0)
        if float(hard_gain.masked_fill(taken, 0).max()) <= 0:  # every word covered: a new round
            if first_round_weight is None:
                first_round_weight = float(weight[covered].sum()) / total
            covered[:] = False
            rounds += 1
            hard_gain = hard @ weight
        hard_gain = hard_gain.masked_fill(taken, -1.0)
        top = float(hard_gain.max())
        tied = hard_gain >= top - 1e-6 * max(1.0, top)
        soft_gain = ((sim - best_sim).clamp_min(0) @ weight).masked_fill(~tied, -1.0)
        i = int(soft_gain.argmax())
        chosen.append(i)
        gains.append(round(top, 6))
        taken[i] = True
        covered |= hard[i] > 0
        best_sim = torch.maximum(best_sim, sim[i])
        n_covered.append(int(covered.sum()))
    if first_round_weight is None:
        first_round_weight = float(weight[covered].sum()) / total
    return Selection(chosen, dict(strategy='dense', seed=seed, num_words=k, beta=beta, minibatch=use_mb,
                                  regions_per_image=r, per_pick=dict(gain=gains, words_covered=n_covered),
                                  word_sizes=sizes.tolist(), rounds=rounds,
                                  weight_covered=round(first_round_weight, 6)))


def select(strategy: str, budget: int, pooled=None, regions=None, num_images: Optional[int] = None, seed: int = 0,
           **options) -> Selection:
    """Run a strategy by name (one of :data:`STRATEGIES`).

    Args:
        strategy (str): ``'random'``, ``'kmeans'``, ``'as3l'``, ``'coreset'`` or ``'dense'``.
        budget (int): images to choose.
        pooled: ``(N, D)`` pooled features (kmeans / as3l / coreset).
        regions: ``(N, R, D)`` region features (dense).
        num_images (int, optional): the pool size, needed by ``random`` when no features are given.
        seed (int): seed of the strategy's draws.
        **options: passed to the strategy's function.

    Returns:
        Selection: see the strategy's function.

    Raises:
        ValueError: unknown strategy, or the features it needs are missing.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f'unknown strategy {strategy!r}; choose one of {", ".join(STRATEGIES)}')
    if strategy == 'random':
        n = num_images if num_images is not None else len(pooled if pooled is not None else regions)
        return select_random(n, budget, seed)
    if strategy in POOLED_STRATEGIES and pooled is None:
        raise ValueError(f'strategy {strategy!r} needs pooled image features')
    if strategy in REGION_STRATEGIES and regions is None:
        raise ValueError(f'strategy {strategy!r} needs region features')
    if strategy == 'kmeans':
        return select_kmeans(pooled, budget, seed=seed, **options)
    if strategy == 'as3l':
        return select_as3l(pooled, budget, seed=seed, **options)
    if strategy == 'coreset':
        return select_coreset(pooled, budget, **options)
    return select_dense(regions, budget, seed=seed, **options)
