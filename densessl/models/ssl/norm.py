"""Batch-norm running statistics during forward passes on augmented views."""
from contextlib import contextmanager
from typing import Iterator, List, Tuple

import torch.nn as nn
from torch.nn.modules.batchnorm import _BatchNorm

__all__ = ['frozen_bn_stats']


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
