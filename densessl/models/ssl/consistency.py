"""Consistency losses between a student's logits and (pseudo-)targets, with per-element weights.

Class axis ``dim=1``: logits ``(N, C, *)``; hard targets ``(N, *)`` (long, may hold ``ignore_index``) or soft
targets ``(N, C, *)`` (probabilities); weights and validity masks ``(N, *)``. Each function computes a per-element
loss map ``l`` (summed over classes), multiplies it by ``weight`` and reduces it:

- ``reduction='mean'`` divides by the number of *valid* elements (ignored / invalid ones never count, neither in
  the sum nor in the divisor). With a confidence mask as ``weight`` that is the FixMatch / French et al.
  normalisation: elements below the threshold still count in the divisor, so the loss shrinks when few pass.
- ``reduction='weighted_mean'`` divides by the sum of the weights instead (the average over the elements that
  are used).
- ``reduction='sum'`` and ``'none'`` (the weighted map, 0 on invalid elements).

A ``(N, C)`` input and its ``(N, C, 1, 1)`` view give the same loss.
"""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from densessl.registry import MODELS
from densessl.utils.checks import check_choice

__all__ = ['cross_entropy', 'kl_divergence', 'mse_consistency', 'entropy', 'ConsistencyLoss', 'EntropyLoss']

_REDUCTIONS = ('mean', 'weighted_mean', 'sum', 'none')


def _check(logits: Tensor, target: Optional[Tensor] = None, soft: bool = False) -> None:
    if logits.dim() < 2:
        raise ValueError(f'logits must be (N, C, *) with the class axis at dim=1, got {tuple(logits.shape)}')
    if target is None:
        return
    if soft and target.shape != logits.shape:
        raise ValueError(f'soft targets must have the logits\' shape {tuple(logits.shape)}, '
                         f'got {tuple(target.shape)}')
    if not soft and (target.shape[0] != logits.shape[0] or target.shape[1:] != logits.shape[2:]):
        raise ValueError(f'hard targets must be (N, *) = {(logits.shape[0], ) + tuple(logits.shape[2:])} for '
                         f'logits {tuple(logits.shape)}, got {tuple(target.shape)}')


def _reduce(loss_map: Tensor, weight: Optional[Tensor], valid: Optional[Tensor], reduction: str) -> Tensor:
    if reduction not in _REDUCTIONS:
        raise ValueError(f'reduction must be one of {_REDUCTIONS}, got {reduction!r}')
    if valid is None:
        valid = torch.ones_like(loss_map, dtype=torch.bool)
    elif valid.shape != loss_map.shape:
        raise ValueError(f'valid mask {tuple(valid.shape)} must have the per-element shape {tuple(loss_map.shape)}')
    validf = valid.to(loss_map.dtype)
    if weight is None:
        w = validf
    else:
        if weight.shape != loss_map.shape:
            raise ValueError(f'weight {tuple(weight.shape)} must have the per-element shape {tuple(loss_map.shape)}')
        w = weight.to(loss_map.dtype) * validf
    # where() and not a product: an invalid element may hold inf / nan (e.g. log 0) and must not leak
    weighted = torch.where(valid, loss_map * w, torch.zeros_like(loss_map))
    if reduction == 'none':
        return weighted
    if reduction == 'sum':
        return weighted.sum()
    if reduction == 'mean':
        return weighted.sum() / validf.sum().clamp_min(1.0)
    return weighted.sum() / w.sum().clamp_min(1e-12)


def cross_entropy(logits: Tensor,
                  target: Tensor,
                  weight: Optional[Tensor] = None,
                  ignore_index: int = 255,
                  valid: Optional[Tensor] = None,
                  reduction: str = 'mean') -> Tensor:
    r"""Cross-entropy with hard (class index) or soft (probability) targets and per-element weights.

    Hard targets equal to ``ignore_index`` are invalid: they add nothing and are not counted.

    Args:
        logits (Tensor): student logits.
        target (Tensor): long class indices ``(N, *)`` or probabilities ``(N, C, *)``.
        weight (Tensor, optional): per-element weights ``(N, *)``.
        ignore_index (int): ignored hard label. Defaults to 255.
        valid (Tensor, optional): bool ``(N, *)``, elements that count (combined with ``ignore_index``).
        reduction (str): ``'mean'`` (over valid elements), ``'weighted_mean'``, ``'sum'`` or ``'none'``.

    Shape:
        - logits: :math:`(N, C, *)`
        - target: :math:`(N, *)` or :math:`(N, C, *)`
        - output: scalar, or :math:`(N, *)` with ``reduction='none'``

    Returns:
        Tensor: the loss.

    Examples:
        >>> logits = torch.zeros(1, 2, 1, 2)
        >>> cross_entropy(logits, torch.tensor([[[0, 255]]]))  # the ignored pixel does not count
        tensor(0.6931)
    """
    soft = target.dtype.is_floating_point
    _check(logits, target, soft)
    if soft:
        loss_map = -(target * F.log_softmax(logits, dim=1)).sum(dim=1)
    else:
        ignored = target == ignore_index
        valid = ~ignored if valid is None else (valid.bool() & ~ignored)
        loss_map = F.cross_entropy(logits, target.long().masked_fill(ignored, 0), reduction='none')
    return _reduce(loss_map, weight, valid, reduction)


def kl_divergence(logits: Tensor,
                  target: Tensor,
                  weight: Optional[Tensor] = None,
                  valid: Optional[Tensor] = None,
                  reduction: str = 'mean') -> Tensor:
    r""":math:`\mathrm{KL}(t \,\|\, \mathrm{softmax}(x)) = \sum_c t_c (\log t_c - \log \mathrm{softmax}(x)_c)`
    per element (VAT, UDA, temporal ensembling).

    Args:
        logits (Tensor): student logits :math:`x`.
        target (Tensor): target probabilities :math:`t` (``0 log 0 = 0``).
        weight, valid, reduction: as :func:`cross_entropy`.

    Shape:
        - logits, target: :math:`(N, C, *)`
        - output: scalar, or :math:`(N, *)` with ``reduction='none'``

    Returns:
        Tensor: the loss.

    Examples:
        >>> kl_divergence(torch.zeros(1, 2), torch.tensor([[0.5, 0.5]]))
        tensor(0.)
    """
    _check(logits, target, soft=True)
    log_p = F.log_softmax(logits, dim=1)
    loss_map = (torch.xlogy(target, target) - target * log_p).sum(dim=1)
    return _reduce(loss_map, weight, valid, reduction)


def mse_consistency(logits: Tensor,
                    target: Tensor,
                    weight: Optional[Tensor] = None,
                    valid: Optional[Tensor] = None,
                    reduction: str = 'mean') -> Tensor:
    r"""Squared error between probabilities, :math:`\sum_c (\mathrm{softmax}(x)_c - t_c)^2` per element.

    The consistency loss of Mean Teacher and of French et al.'s CutMix (their ``'var'`` loss). Arguments, shapes
    and result as :func:`kl_divergence`.

    Examples:
        >>> mse_consistency(torch.zeros(1, 2), torch.tensor([[1., 0.]]))
        tensor(0.5000)
    """
    _check(logits, target, soft=True)
    loss_map = (torch.softmax(logits, dim=1) - target).pow(2).sum(dim=1)
    return _reduce(loss_map, weight, valid, reduction)


def entropy(logits: Tensor,
            weight: Optional[Tensor] = None,
            valid: Optional[Tensor] = None,
            reduction: str = 'mean') -> Tensor:
    r"""Prediction entropy :math:`-\sum_c p_c \log p_c` per element (entropy minimisation).

    Args:
        logits (Tensor): logits.
        weight, valid, reduction: as :func:`cross_entropy`.

    Shape:
        - logits: :math:`(N, C, *)`
        - output: scalar, or :math:`(N, *)` with ``reduction='none'``

    Returns:
        Tensor: the loss.

    Examples:
        >>> entropy(torch.zeros(1, 2))
        tensor(0.6931)
    """
    _check(logits)
    log_p = F.log_softmax(logits, dim=1)
    loss_map = -(log_p.exp() * log_p).sum(dim=1)
    return _reduce(loss_map, weight, valid, reduction)


_LOSSES = {'ce': cross_entropy, 'kl': kl_divergence, 'mse': mse_consistency}


@MODELS.register_module()
class ConsistencyLoss(nn.Module):
    """A consistency loss as a configurable module.

    Args:
        loss_type (str): ``'ce'`` (:func:`cross_entropy`, hard or soft targets), ``'kl'``
            (:func:`kl_divergence`) or ``'mse'`` (:func:`mse_consistency`). Defaults to ``'ce'``.
        reduction (str): see :func:`cross_entropy`. Defaults to ``'mean'``.
        ignore_index (int): ignored hard label (``'ce'`` only). Defaults to 255.
        loss_weight (float): factor applied to the loss. Defaults to 1.

    Examples:
        >>> loss = ConsistencyLoss('mse')
        >>> loss(torch.zeros(2, 3, 4, 4), torch.full((2, 3, 4, 4), 1 / 3))
        tensor(0.)
    """

    def __init__(self, loss_type: str = 'ce', reduction: str = 'mean', ignore_index: int = 255,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        check_choice('ConsistencyLoss', 'loss_type', loss_type, _LOSSES)
        check_choice('ConsistencyLoss', 'reduction', reduction, _REDUCTIONS)
        self.loss_type = loss_type
        self.reduction = reduction
        self.ignore_index = ignore_index
        self.loss_weight = loss_weight

    @property
    def needs_soft_target(self) -> bool:
        """Whether the loss compares distributions (``'kl'``, ``'mse'``) rather than class indices."""
        return self.loss_type != 'ce'

    def forward(self, logits: Tensor, target: Tensor, weight: Optional[Tensor] = None,
                valid: Optional[Tensor] = None) -> Tensor:
        """Weighted consistency between ``logits`` and ``target``."""
        if self.loss_type == 'ce':
            loss = cross_entropy(logits, target, weight, self.ignore_index, valid, self.reduction)
        else:
            if not target.dtype.is_floating_point:
                raise TypeError(f"ConsistencyLoss('{self.loss_type}') needs probability targets (N, C, *), got "
                                f'{target.dtype} class indices')
            loss = _LOSSES[self.loss_type](logits, target, weight, valid, self.reduction)
        return self.loss_weight * loss

    def extra_repr(self) -> str:
        return f'loss_type={self.loss_type!r}, reduction={self.reduction!r}, loss_weight={self.loss_weight}'


@MODELS.register_module()
class EntropyLoss(nn.Module):
    """Entropy minimisation (:func:`entropy`) as a configurable module.

    Args:
        reduction (str): see :func:`cross_entropy`. Defaults to ``'mean'``.
        loss_weight (float): factor applied to the loss. Defaults to 1.
    """

    def __init__(self, reduction: str = 'mean', loss_weight: float = 1.0) -> None:
        super().__init__()
        self.reduction = reduction
        self.loss_weight = loss_weight

    def forward(self, logits: Tensor, weight: Optional[Tensor] = None, valid: Optional[Tensor] = None) -> Tensor:
        return self.loss_weight * entropy(logits, weight, valid, self.reduction)
