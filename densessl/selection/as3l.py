"""AS3L's prior pseudo-labels (Wen, Pizarro & Williams, "Active Self-Semi-Supervised Learning for Few Labeled
Samples", 2023): which samples to label, and a class prior for every other sample, from self-supervised features.

Pipeline (``tools/as3l_select.py`` runs it on a target-pretrained backbone, e.g. BYOL)::

    features f (N, D) of all training images, L2-normalised
    feature fine-tuning (Sec. 3.2.1): C = 6 k-means clusterings of f (K = C_cls, 2 C_cls, ..., 6 C_cls);
        a linear layer g fitted with the MSE between g(f_i) and the centres of sample i's C clusters
        (least squares: the exact minimiser); f <- g(f)
    single-shot active selection (budget B):
        k-means with K = B clusters, `num_runs` times with different seeds
        runs aligned to the first by Hungarian matching; a sample is *consistent* when every run puts it
        in the same (aligned) cluster
        from each cluster pick its *median*: the consistent member nearest to the coordinate-wise median of
        the cluster's consistent members                           -> B samples to label
    label propagation, 6 clusterings, K in (C_cls, 2 C_cls, ..., 6 C_cls) (10, 20, ..., 60 for 10 classes):
        constrained (seeded) k-means: one cluster per labeled class, initialised at the class mean of its
        labeled samples, K - C more by k-means++; labeled samples stay in their class cluster at every
        assignment step; a cluster without a labeled sample propagates nothing
        vote: one-hot class of every sample's cluster (none in an unlabeled cluster)
    prior (N, C) = mean of the votes over the K values          -> fused into FlexMatch (AS3L classifier)
        (rows sum to the share of clusterings that labeled the sample; 0 rows leave FlexMatch's prediction as is)

Everything is a small pure function of tensors (float64 on the CPU); k-means is
:func:`densessl.evaluation.clustering.kmeans`, the run alignment its Hungarian matching (scipy).
"""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from densessl.evaluation.clustering import hungarian_match, kmeans

__all__ = [
    'consistent_clusters', 'cluster_medians', 'active_selection', 'constrained_kmeans', 'propagate_prior',
    'select_and_propagate', 'default_ks', 'finetune_features', 'NUM_CLUSTERINGS'
]

#: AS3L's number of clusterings (feature fine-tuning and label propagation)
NUM_CLUSTERINGS = 6


def _points(feats, normalize: bool) -> Tensor:
    x = torch.as_tensor(feats, dtype=torch.float64)
    if x.dim() != 2 or x.shape[0] == 0:
        raise ValueError(f'features must be a non-empty (N, D) array, got shape {tuple(x.shape)}')
    return F.normalize(x, dim=1) if normalize else x


def default_ks(num_classes: int, num_clusterings: int = NUM_CLUSTERINGS) -> Tuple[int, ...]:
    """AS3L's cluster counts: ``num_clusterings`` clusterings with ``K = c * num_classes``, ``c = 1, 2, ...``.

    Examples:
        >>> default_ks(10)
        (10, 20, 30, 40, 50, 60)
    """
    if num_classes < 1 or num_clusterings < 1:
        raise ValueError(f'num_classes and num_clusterings must be >= 1, got {num_classes}, {num_clusterings}')
    return tuple(num_classes * c for c in range(1, num_clusterings + 1))


def finetune_features(feats, ks: Sequence[int], seed: int = 0, ridge: float = 0.0,
                      normalize: bool = True) -> Tensor:
    r"""AS3L's feature fine-tuning (Sec. 3.2.1): a linear layer trained with the MSE toward the centres of several
    clusterings of the self-supervised features.

    With :math:`C` k-means clusterings (one per ``K`` in ``ks``) and :math:`\mu_c(i)` the centre of sample
    :math:`i`'s cluster in clustering :math:`c`, the layer :math:`g(f) = W f + b` minimises
    :math:`\frac{1}{N C}\sum_i \sum_c \lVert g(f_i) - \mu_c(i) \rVert^2`, i.e. it regresses every sample onto
    the mean of its centres. The minimiser is found exactly by least squares (``ridge > 0`` adds
    :math:`\mathrm{ridge} \lVert W \rVert^2`), so the result does not depend on an optimiser's schedule.

    Args:
        feats (array-like): self-supervised features.
        ks (sequence[int]): cluster counts, one clustering each (values above ``N`` are skipped).
        seed (int): seed of the first clustering (clustering ``c`` uses ``seed + c``).
        ridge (float): L2 penalty on ``W`` (0: plain least squares).
        normalize (bool): L2-normalise the features first.

    Shape:
        - feats: :math:`(N, D)`
        - output: :math:`(N, D)`

    Returns:
        Tensor: the fine-tuned features :math:`g(f)` (float64).

    Raises:
        ValueError: no usable ``K`` or a negative ``ridge``.

    Examples:
        >>> x = torch.tensor([[0., 0.], [0., 1.], [10., 0.], [10., 1.]], dtype=torch.float64)
        >>> g = finetune_features(x, ks=[2], normalize=False)  # every point onto its centre: a linear map does it
        >>> torch.allclose(g, torch.tensor([[0., .5], [0., .5], [10., .5], [10., .5]], dtype=torch.float64))
        True
    """
    x = _points(feats, normalize)
    used = [k for k in ks if 1 <= k <= len(x)]
    if not used:
        raise ValueError(f'no K in {list(ks)} lies in [1, {len(x)}]')
    if ridge < 0:
        raise ValueError(f'ridge must be >= 0, got {ridge}')
    target = torch.zeros_like(x)
    for c, k in enumerate(used):
        labels, centres, _ = kmeans(x, k, n_init=1, seed=seed + c)
        target += centres[labels]
    target /= len(used)
    design = torch.cat([x, torch.ones(len(x), 1, dtype=x.dtype)], dim=1)  # (N, D + 1): W and b together
    if ridge > 0:
        reg = ridge * torch.eye(design.shape[1], dtype=x.dtype)
        reg[-1, -1] = 0.0  # no penalty on the bias
        weights = torch.linalg.solve(design.T @ design + reg, design.T @ target)
    else:
        weights = torch.linalg.lstsq(design, target, driver='gelsd').solution
    return design @ weights


def consistent_clusters(feats, num_clusters: int, num_runs: int = 5, seed: int = 0,
                        normalize: bool = True) -> Tuple[Tensor, Tensor]:
    """Clusters of the first k-means run and which samples every run agrees on.

    Args:
        feats (array-like): features.
        num_clusters (int): ``K``.
        num_runs (int): k-means runs (seeds ``seed``, ``seed + 1``, ...), at least 1.
        seed (int): seed of the first run.
        normalize (bool): L2-normalise the features first.

    Shape:
        - feats: :math:`(N, D)`
        - output: labels :math:`(N,)` long in ``[0, K)``, consistent :math:`(N,)` bool

    Returns:
        tuple[Tensor, Tensor]: the first run's cluster of every sample; ``True`` where every other run, mapped
        onto the first by Hungarian matching, assigns the same cluster.

    Examples:
        >>> x = torch.tensor([[0., 0.], [0., .1], [5., 5.], [5., 5.1]])
        >>> labels, ok = consistent_clusters(x, 2, num_runs=3, normalize=False)
        >>> bool(ok.all()), labels[0] == labels[1], labels[0] != labels[2]
        (True, tensor(True), tensor(True))
    """
    if num_runs < 1:
        raise ValueError(f'num_runs must be >= 1, got {num_runs}')
    x = _points(feats, normalize)
    ref, _, _ = kmeans(x, num_clusters, n_init=1, seed=seed)
    consistent = torch.ones(len(x), dtype=torch.bool)
    for r in range(1, num_runs):
        other, _, _ = kmeans(x, num_clusters, n_init=1, seed=seed + r)
        mapping = hungarian_match(ref.numpy(), other.numpy())  # other's cluster -> ref's cluster
        mapped = torch.as_tensor([mapping.get(int(c), -1) for c in other])
        consistent &= mapped == ref
    return ref, consistent


def cluster_medians(feats, labels, mask=None, normalize: bool = True) -> Tensor:
    """One representative sample per cluster: the (masked) member nearest to the coordinate-wise median of the
    cluster's (masked) members. A cluster with no masked member falls back to all its members.

    Args:
        feats (array-like): features.
        labels (array-like): cluster of every sample.
        mask (array-like, optional): bool, the eligible samples (e.g. the consistent ones).
        normalize (bool): L2-normalise the features first.

    Shape:
        - feats: :math:`(N, D)`; labels, mask: :math:`(N,)`
        - output: :math:`(K',)` with :math:`K'` the number of non-empty clusters

    Returns:
        Tensor: long sample indices, ordered by cluster id (ties: the lowest index).

    Examples:
        >>> x = torch.tensor([[0.], [1.], [2.], [10.], [13.]])
        >>> cluster_medians(x, torch.tensor([0, 0, 0, 1, 1]), normalize=False)
        tensor([1, 3])
    """
    x = _points(feats, normalize)
    labels = torch.as_tensor(labels, dtype=torch.long)
    if labels.shape != x.shape[:1]:
        raise ValueError(f'labels must be (N,) = ({len(x)},), got {tuple(labels.shape)}')
    mask = torch.ones_like(labels, dtype=torch.bool) if mask is None else torch.as_tensor(mask, dtype=torch.bool)
    picked = []
    for c in torch.unique(labels).tolist():
        members = ((labels == c) & mask).nonzero().flatten()
        if len(members) == 0:
            members = (labels == c).nonzero().flatten()
        median = x[members].median(dim=0).values
        dist = (x[members] - median).pow(2).sum(1)
        picked.append(int(members[dist.argmin()]))
    return torch.as_tensor(picked, dtype=torch.long)


def active_selection(feats, budget: int, num_runs: int = 5, seed: int = 0, normalize: bool = True) -> Tensor:
    """AS3L's single-shot active selection: the medians of ``budget`` consistently co-clustered groups.

    Args:
        feats (array-like): self-supervised features of the candidate samples.
        budget (int): how many samples to label (= number of clusters).
        num_runs (int): k-means runs whose agreement defines consistency.
        seed (int): seed; the same seed gives the same selection.
        normalize (bool): L2-normalise the features first.

    Shape:
        - feats: :math:`(N, D)`
        - output: :math:`(\\le budget,)`

    Returns:
        Tensor: long indices of the samples to label, sorted.
    """
    labels, consistent = consistent_clusters(feats, budget, num_runs, seed, normalize)
    return torch.sort(cluster_medians(feats, labels, consistent, normalize)).values


def constrained_kmeans(feats, seed_idx, seed_labels, num_clusters: int, max_iter: int = 100, seed: int = 0,
                       normalize: bool = True, propagate_unlabeled: bool = False) -> Tuple[Tensor, Tensor]:
    """Constrained (seeded) k-means (Basu et al. 2002): labeled samples are fixed to their class's cluster.

    Cluster ``j < C'`` belongs to the ``j``-th labeled class (sorted), is initialised at the mean of its labeled
    samples and keeps them at every assignment step; the other ``K - C'`` clusters start from k-means++ draws. They
    hold no labeled sample, so (AS3L) their class is ``-1``: their samples get no label from this clustering.
    ``propagate_unlabeled=True`` gives them the class of the nearest class cluster instead.

    Args:
        feats (array-like): features.
        seed_idx (array-like): indices of the labeled samples.
        seed_labels (array-like): their classes.
        num_clusters (int): ``K``, at least the number ``C'`` of labeled classes.
        max_iter (int): Lloyd iterations.
        seed (int): seed of the k-means++ draws.
        normalize (bool): L2-normalise the features first.
        propagate_unlabeled (bool): give clusters without a labeled sample the nearest class (default: ``-1``).

    Shape:
        - feats: :math:`(N, D)`; seed_idx, seed_labels: :math:`(S,)`
        - output: assignment :math:`(N,)`, cluster classes :math:`(K,)`

    Returns:
        tuple[Tensor, Tensor]: the cluster of every sample and the class of every cluster (long; ``-1``: a cluster
        without a labeled sample).

    Raises:
        ValueError: mismatched seeds, an index out of range, a sample labeled twice, or ``K < C'``.

    Examples:
        >>> x = torch.tensor([[0.], [0.2], [1.], [5.], [5.2]])
        >>> assign, cls = constrained_kmeans(x, [0, 2], [3, 7], 2, normalize=False)
        >>> cls[assign].tolist()  # sample 2 (at 1.0) stays with class 7 although it lies nearer to class 3
        [3, 3, 7, 7, 7]
    """
    x = _points(feats, normalize)
    n = len(x)
    seed_idx = torch.as_tensor(seed_idx, dtype=torch.long).flatten()
    seed_labels = torch.as_tensor(seed_labels, dtype=torch.long).flatten()
    if seed_idx.shape != seed_labels.shape or len(seed_idx) == 0:
        raise ValueError(f'seed_idx and seed_labels must be non-empty and of the same length, got '
                         f'{len(seed_idx)} and {len(seed_labels)}')
    if seed_idx.min() < 0 or seed_idx.max() >= n:
        raise ValueError(f'seed_idx must lie in [0, {n}), got {seed_idx.min().item()}..{seed_idx.max().item()}')
    if len(torch.unique(seed_idx)) != len(seed_idx):
        raise ValueError('seed_idx lists a sample more than once')
    classes, seed_cluster = torch.unique(seed_labels, return_inverse=True)
    n_cls = len(classes)
    if not n_cls <= num_clusters <= n:
        raise ValueError(f'num_clusters must be in [{n_cls} (labeled classes), {n}], got {num_clusters}')
    centres = [x[seed_idx[seed_cluster == j]].mean(0) for j in range(n_cls)]
    gen = torch.Generator().manual_seed(seed)
    d2 = torch.cdist(x, torch.stack(centres)).pow(2).min(1).values
    for _ in range(num_clusters - n_cls):  # k-means++ for the extra clusters
        probs = d2 / d2.sum() if d2.sum() > 0 else torch.full_like(d2, 1.0 / n)
        centres.append(x[torch.multinomial(probs, 1, generator=gen)].squeeze(0))
        d2 = torch.minimum(d2, (x - centres[-1]).pow(2).sum(1))
    c = torch.stack(centres)
    assign = None
    for _ in range(max_iter):
        new_assign = torch.cdist(x, c).argmin(1)
        new_assign[seed_idx] = seed_cluster
        if assign is not None and torch.equal(new_assign, assign):
            break
        assign = new_assign
        for j in range(num_clusters):
            members = x[assign == j]
            if len(members):
                c[j] = members.mean(0)
    cluster_cls = torch.full((num_clusters, ), -1, dtype=torch.long)
    cluster_cls[:n_cls] = classes
    if propagate_unlabeled:
        cluster_cls = classes[torch.cdist(c, c[:n_cls]).argmin(1)]
        cluster_cls[:n_cls] = classes
    return assign, cluster_cls


def propagate_prior(feats, seed_idx, seed_labels, num_classes: int, ks: Optional[Sequence[int]] = None,
                    max_iter: int = 100, seed: int = 0, normalize: bool = True,
                    propagate_unlabeled: bool = False) -> Tensor:
    """AS3L's prior pseudo-labels: the share of the constrained k-means runs (one per ``K`` in ``ks``) that put
    each sample in a cluster of each class; a cluster without a labeled sample propagates nothing.

    Args:
        feats (array-like): features of all samples.
        seed_idx, seed_labels (array-like): the labeled samples and their classes.
        num_classes (int): ``C``.
        ks (sequence[int], optional): the numbers of clusters (values below the number of labeled classes are
            skipped); default :func:`default_ks` (6 clusterings, ``K = C, 2C, ..., 6C``).
        max_iter, seed, normalize, propagate_unlabeled: as :func:`constrained_kmeans` (run ``i`` uses seed
            ``seed + i``).

    Shape:
        - feats: :math:`(N, D)`
        - output: :math:`(N, C)`, rows summing to at most one: the share of the runs that labeled the sample (a
          labeled sample's row is the one-hot of its label; a row of zeros: never propagated)

    Returns:
        Tensor: float32 prior.
    """
    x = _points(feats, normalize)
    seed_labels = torch.as_tensor(seed_labels, dtype=torch.long).flatten()
    if len(seed_labels) and (seed_labels.min() < 0 or seed_labels.max() >= num_classes):
        raise ValueError(f'seed_labels must lie in [0, {num_classes})')
    n_cls = len(torch.unique(seed_labels))
    ks = default_ks(num_classes) if ks is None else ks
    used = [k for k in ks if n_cls <= k <= len(x)]
    if not used:
        raise ValueError(f'no K in {list(ks)} lies in [{n_cls}, {len(x)}]')
    votes = torch.zeros(len(x), num_classes, dtype=torch.float64)
    for i, k in enumerate(used):
        assign, cls = constrained_kmeans(x, seed_idx, seed_labels, k, max_iter, seed + i, normalize=False,
                                         propagate_unlabeled=propagate_unlabeled)
        sample_cls = cls[assign]
        labeled = sample_cls >= 0
        votes[labeled] += F.one_hot(sample_cls[labeled], num_classes).double()
    return (votes / len(used)).float()


def select_and_propagate(feats, labels, budget: int, num_classes: int, ks: Optional[Sequence[int]] = None,
                         num_runs: int = 5, seed: int = 0, normalize: bool = True, finetune: bool = True) -> dict:
    """The whole AS3L preparation: fine-tune the features, actively select ``budget`` samples, read their labels
    (the oracle), propagate.

    Args:
        feats (array-like): self-supervised features of all training samples.
        labels (array-like): their true classes; only the selected samples' labels are read.
        budget (int): number of samples to label.
        num_classes (int): ``C``.
        ks, num_runs, seed, normalize: as :func:`active_selection` and :func:`propagate_prior` (``ks`` also the
            clusterings of the fine-tuning; default :func:`default_ks`).
        finetune (bool): apply :func:`finetune_features` first (AS3L Sec. 3.2.1).

    Shape:
        - feats: :math:`(N, D)`; labels: :math:`(N,)`

    Returns:
        dict: ``labeled`` (sorted indices), ``unlabeled`` (the other indices, sorted), ``prior`` (``(N_u, C)``
        float32, rows in ``unlabeled`` order), ``prior_accuracy`` (share of the propagated unlabeled samples whose
        prior's argmax is their true class; a diagnostic) and ``prior_coverage`` (share of unlabeled samples with
        a non-zero prior).
    """
    x = _points(feats, normalize)
    labels = torch.as_tensor(labels, dtype=torch.long).flatten()
    if labels.shape != x.shape[:1]:
        raise ValueError(f'labels must be (N,) = ({len(x)},), got {tuple(labels.shape)}')
    ks = default_ks(num_classes) if ks is None else tuple(ks)
    if finetune:
        x = finetune_features(x, ks, seed=seed, normalize=False)
    labeled = active_selection(x, budget, num_runs, seed, normalize=False)
    prior = propagate_prior(x, labeled, labels[labeled], num_classes, ks, seed=seed, normalize=False)
    keep = torch.ones(len(x), dtype=torch.bool)
    keep[labeled] = False
    unlabeled = keep.nonzero().flatten()
    prior_u = prior[unlabeled]
    covered = prior_u.sum(1) > 0
    hits = (prior_u.argmax(1) == labels[unlabeled])[covered]
    acc = float(hits.float().mean()) if len(hits) else float('nan')
    coverage = float(covered.float().mean()) if len(unlabeled) else float('nan')
    return dict(labeled=labeled.tolist(), unlabeled=unlabeled.tolist(), prior=prior_u, prior_accuracy=acc,
                prior_coverage=coverage)
