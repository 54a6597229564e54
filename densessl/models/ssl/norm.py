"""Batch-norm running statistics during forward passes on augmented views."""
from contextlib import contextmanager
from typing import Iterator, List, Tuple

import torch.nn as nn
from torch.nn.modules.batchnorm import _BatchNorm

__all__ = ['frozen_bn_stats', 'bn_batch_stats']


@contextmanager
def frozen_bn_stats(model: nn.Module) -> Iterator[int]:
    """Inside the context, the batch-norm layers of ``model`` in training mode normalise with the batch's
    statistics as usual but leave their running statistics (mean, var, ``num_batches_tracked``) unchanged.

    For forward passes on views whose statistics differ from the test images (strongly augmented, CutMix / ClassMix
    composites): were they averaged into the running statistics, an eval-mode network (the EMA teacher making
    pseudo-labels, the model at test time) would normalise clean images with statistics of the augmented ones.

    Args:
        model (nn.Module): any module; its ``_BatchNorm`` submodules (``BatchNorm1d/2d/3d``, ``SyncBatchNorm``)
            are affected, and restored on exit (also after an exception).

    Yields:
        int: the number of batch-norm layers affected.

    Examples:
        >>> import torch
        >>> bn = nn.BatchNorm1d(2).train()
        >>> with frozen_bn_stats(bn):
        ...     _ = bn(torch.randn(8, 2) + 5)
        >>> bn.running_mean.tolist(), int(bn.num_batches_tracked)
        ([0.0, 0.0], 0)
    """
    saved: List[Tuple[_BatchNorm, object, object]] = []
    for m in model.modules():
        if isinstance(m, _BatchNorm) and m.track_running_stats:
            saved.append((m, m.momentum, m.num_batches_tracked.clone() if m.num_batches_tracked is not None
                          else None))
            m.momentum = 0.0  # running = (1 - 0) * running + 0 * batch
    try:
        yield len(saved)
    finally:
        for m, momentum, tracked in saved:
            m.momentum = momentum
            if tracked is not None:
                m.num_batches_tracked.copy_(tracked)


@contextmanager
def bn_batch_stats(model: nn.Module) -> Iterator[int]:
    """Inside the context, the batch-norm layers of ``model`` run in training mode — they normalise with the batch's
    statistics and update their running statistics (with their ``momentum``) — while every other module keeps its
    mode (an eval-mode network keeps dropout off). Gradients are up to the caller (use ``torch.no_grad()``).

    This is how an EMA teacher keeps running statistics that belong to **its own** weights: the EMA of the
    student's running statistics is not the statistics of the EMA of its weights (the reason SWA recomputes BN
    statistics after averaging), and the gap is large while the weights move fast (training from scratch).
    Each forward of the teacher on clean images inside this context re-estimates them.

    Args:
        model (nn.Module): any module; the training flag of its ``_BatchNorm`` submodules is restored on exit.

    Yields:
        int: the number of batch-norm layers affected.

    Examples:
        >>> import torch
        >>> bn = nn.BatchNorm1d(1, momentum=None).eval()  # momentum None: cumulative average
        >>> with bn_batch_stats(bn):
        ...     _ = bn(torch.tensor([[1.], [3.]]))
        >>> bn.running_mean.tolist(), bn.training
        ([2.0], False)
    """
    saved: List[Tuple[_BatchNorm, bool]] = [(m, m.training) for m in model.modules() if isinstance(m, _BatchNorm)]
    for m, _ in saved:
        m.train()
    try:
        yield len(saved)
    finally:
        for m, mode in saved:
            m.train(mode)
