"""Which pseudo-labels count, and how much: confidence thresholds and loss weights.

Every function takes the teacher's confidence (the maximum class probability) with the class axis already
reduced, shape ``(N, *)``: ``(N,)`` for classification, ``(N, H, W)`` for segmentation. An optional ``valid``
mask of the same shape marks elements that exist at all (not padding, not an ignored label); invalid elements get
weight 0 and never enter a share or a count.

- :func:`confidence_weights` / :class:`ConfidenceMask`: a fixed threshold :math:`\\tau`, applied per element
  (FixMatch; French et al. with ``conf_per_pixel``) or as the *share of confident elements* used as the weight of
  every element (French et al. 2020 CutMix, Olsson et al. 2021 ClassMix: the loss is scaled by the proportion of
  pixels above :math:`\\tau`).
- :func:`class_balanced_weights` (``ConfidenceMask(class_balance=True)``): per-pixel masks whose passing pixels
  carry the weight of every pixel predicted as their class, so a class that rarely passes the threshold still
  counts with its share of the predictions (on the demo, 97 % of the pixels passing 0.95 are background).
- :class:`FlexMatchMask`: FlexMatch's class-wise flexible thresholds
  :math:`\\mathcal{T}(c) = M(\\beta(c))\\,\\tau` from each class's learning effect :math:`\\beta(c)`.
"""
from typing import NamedTuple, Optional

import torch
import torch.nn as nn
from torch import Tensor

from densessl.registry import MODELS

__all__ = ['ConfidenceWeights', 'confidence_weights', 'class_balanced_weights', 'ConfidenceMask', 'FlexMatchMask']

_MODES = ('pixel', 'proportion', 'none')


class ConfidenceWeights(NamedTuple):
    """Per-element loss weights and what they were made from.

    Attributes:
        weight (Tensor): ``(N, *)`` float loss weight of each element (0 on invalid elements).
        mask (Tensor): ``(N, *)`` bool, the element passed its threshold (and is valid).
        ratio (Tensor): scalar float, the share of valid elements that passed (0 when nothing is valid).
            Logged every iteration as the proportion of pseudo-labels used.
    """
    weight: Tensor
    mask: Tensor
    ratio: Tensor


def _valid_like(confidence: Tensor, valid: Optional[Tensor]) -> Tensor:
    if valid is None:
        return torch.ones_like(confidence, dtype=torch.bool)
    if valid.shape != confidence.shape:
        raise ValueError(f'valid mask of shape {tuple(valid.shape)} does not match the confidence '
                         f'{tuple(confidence.shape)}')
    return valid.bool()


def _share(mask: Tensor, valid: Tensor, dims=None) -> Tensor:
    if dims is None:
        return mask.sum().float() / valid.sum().clamp_min(1).float()
    return mask.sum(dims).float() / valid.sum(dims).clamp_min(1).float()


def confidence_weights(confidence: Tensor,
                       threshold: float,
                       mode: str = 'pixel',
                       valid: Optional[Tensor] = None,
                       per_sample: bool = False) -> ConfidenceWeights:
    r"""Loss weights from a fixed confidence threshold :math:`\tau` (an element passes when ``conf >= tau``).

    Args:
        confidence (Tensor): maximum class probability of the teacher.
        threshold (float): :math:`\tau \in [0, 1]`.
        mode (str): ``'pixel'``: weight 1 on the elements that pass, 0 elsewhere (FixMatch, per-pixel
            masking); ``'proportion'``: every valid element weighs the share of valid elements that pass
            (CutMix of French et al., ClassMix); ``'none'``: every valid element weighs 1 (no thresholding; the
            share is still reported).
        valid (Tensor, optional): bool, elements that exist (not padding / ignore). Defaults to all.
        per_sample (bool): in ``'proportion'`` mode, take the share per sample instead of over the whole batch
            (the papers use the batch). Defaults to False.

    Shape:
        - confidence, valid: :math:`(N, *)`
        - weight, mask: :math:`(N, *)`; ratio: scalar

    Returns:
        ConfidenceWeights: ``weight``, ``mask``, ``ratio``.

    Examples:
        >>> conf = torch.tensor([[0.99, 0.5], [0.98, 0.2]])
        >>> confidence_weights(conf, 0.97, 'proportion').weight
        tensor([[0.5000, 0.5000],
                [0.5000, 0.5000]])
        >>> confidence_weights(conf, 0.97, 'pixel').weight
        tensor([[1., 0.],
                [1., 0.]])
    """
    if mode not in _MODES:
        raise ValueError(f'mode must be one of {_MODES}, got {mode!r}')
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f'threshold must be in [0, 1], got {threshold}')
    valid = _valid_like(confidence, valid)
    mask = (confidence >= threshold) & valid
    ratio = _share(mask, valid)
    validf = valid.to(confidence.dtype)
    if mode == 'pixel':
        weight = mask.to(confidence.dtype)
    elif mode == 'none':
        weight = validf
    elif per_sample and confidence.dim() > 1:
        dims = tuple(range(1, confidence.dim()))
        share = _share(mask, valid, dims).to(confidence.dtype)
        weight = validf * share.view(-1, *([1] * (confidence.dim() - 1)))
    else:
        weight = validf * ratio.to(confidence.dtype)
    return ConfidenceWeights(weight, mask, ratio)


def class_balanced_weights(weights: ConfidenceWeights, labels: Tensor, valid: Optional[Tensor] = None,
                           num_classes: Optional[int] = None, ignore_index: int = 255) -> ConfidenceWeights:
    r"""Rescale per-element weights so that each class keeps the weight of all its predicted elements.

    With :math:`P_c` the valid elements whose pseudo-label is :math:`c` and :math:`S_c \subseteq P_c` those that
    passed the threshold, every element of :math:`S_c` weighs :math:`|P_c| / |S_c|` (over the whole batch) and the
    others 0; a class with no passing element contributes nothing. The total weight is at most the number of valid
    elements, and the per-pixel mask is a special case (all classes pass at the same rate). The threshold still
    decides *which* pseudo-labels train; the classes' predicted shares decide *how much* each class counts, so
    frequent, easy classes (background) no longer drown the rare ones in the loss.

    Args:
        weights (ConfidenceWeights): the output of :func:`confidence_weights` in ``'pixel'`` mode.
        labels (Tensor): pseudo-labels, shape of the weights (``ignore_index`` and values outside
            ``[0, num_classes)`` weigh 0).
        valid (Tensor, optional): bool, elements that exist. Defaults to all.
        num_classes (int, optional): defaults to the largest label that is not ``ignore_index``, plus 1.
        ignore_index (int): the label of pixels that are no class. Defaults to 255.

    Shape:
        - labels, valid, weight, mask: :math:`(N, *)`

    Returns:
        ConfidenceWeights: new ``weight``; ``mask`` and ``ratio`` unchanged.

    Examples:
        >>> conf = torch.tensor([0.99, 0.99, 0.99, 0.5, 0.99, 0.6])
        >>> labels = torch.tensor([0, 0, 0, 0, 1, 1])
        >>> class_balanced_weights(confidence_weights(conf, 0.95), labels).weight
        tensor([1.3333, 1.3333, 1.3333, 0.0000, 2.0000, 0.0000])
    """
    valid = _valid_like(weights.mask, valid)
    labels = labels.long()
    valid = valid & (labels != ignore_index)
    if num_classes is None:
        num_classes = int(labels[valid].max()) + 1 if valid.any() else 1
    inside = valid & (labels >= 0) & (labels < num_classes)
    index = labels.clamp(0, num_classes - 1)
    predicted = torch.bincount(index[inside], minlength=num_classes).float()
    passed = torch.bincount(index[inside & weights.mask], minlength=num_classes).float()
    scale = torch.where(passed > 0, predicted / passed.clamp_min(1), torch.zeros_like(passed))
    weight = weights.mask.to(weights.weight.dtype) * scale.to(weights.weight.dtype)[index] * inside
    return ConfidenceWeights(weight, weights.mask, weights.ratio)


@MODELS.register_module()
class ConfidenceMask(nn.Module):
    """Module form of :func:`confidence_weights`.

    Args:
        threshold (float): :math:`\\tau`. Defaults to 0.95 (FixMatch); the CutMix / ClassMix configs use 0.97 /
            0.968.
        mode (str): ``'pixel'``, ``'proportion'`` or ``'none'`` (see :func:`confidence_weights`).
        per_sample (bool): per-sample share in ``'proportion'`` mode. Defaults to False.
        class_balance (bool): in ``'pixel'`` mode, rescale the passing pixels of each pseudo-class to the weight of
            all the pixels predicted as that class (:func:`class_balanced_weights`; needs ``labels``). Defaults to
            False (the papers' plain mask).

    Examples:
        >>> ConfidenceMask(0.9, 'pixel')(torch.tensor([0.95, 0.5])).weight
        tensor([1., 0.])
        >>> ConfidenceMask(0.9, class_balance=True)(torch.tensor([0.95, 0.5]), torch.tensor([1, 1])).weight
        tensor([2., 0.])
    """

    def __init__(self, threshold: float = 0.95, mode: str = 'pixel', per_sample: bool = False,
                 class_balance: bool = False) -> None:
        super().__init__()
        if mode not in _MODES:
            raise ValueError(f'ConfidenceMask: mode must be one of {_MODES}, got {mode!r}')
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f'ConfidenceMask: threshold must be in [0, 1], got {threshold}')
        if class_balance and mode != 'pixel':
            raise ValueError(f"ConfidenceMask: class_balance=True needs mode='pixel', got mode={mode!r}")
        self.threshold = threshold
        self.mode = mode
        self.per_sample = per_sample
        self.class_balance = class_balance

    def forward(self, confidence: Tensor, labels: Optional[Tensor] = None,
                valid: Optional[Tensor] = None, indices: Optional[Tensor] = None) -> ConfidenceWeights:
        """Weights for ``confidence``; ``labels`` (the pseudo-labels) are needed with ``class_balance=True``
        (``indices`` is accepted for interface compatibility with :class:`FlexMatchMask` and unused)."""
        weights = confidence_weights(confidence, self.threshold, self.mode, valid, self.per_sample)
        if not self.class_balance:
            return weights
        if labels is None:
            raise ValueError('ConfidenceMask(class_balance=True) needs the pseudo-labels: call it with labels')
        return class_balanced_weights(weights, labels, valid)

    def extra_repr(self) -> str:
        return f'threshold={self.threshold}, mode={self.mode!r}' + (', class_balance=True' if self.class_balance
                                                                     else '')


@MODELS.register_module()
class FlexMatchMask(nn.Module):
    r"""FlexMatch's class-wise flexible thresholds (Zhang et al. 2021, curriculum pseudo-labelling).

    The learning effect of class :math:`c` is :math:`\sigma(c)`, the number of unlabeled items whose latest
    prediction is :math:`c` with confidence above :math:`\tau`; it is normalised as
    :math:`\beta(c) = \sigma(c) / \max(\max_k \sigma(k), N_{unused})` with threshold warm-up (``N_unused``: the
    items never confidently predicted) or :math:`\sigma(c) / \max_k \sigma(k)` without, and the threshold of
    class :math:`c` is :math:`\mathcal{T}(c) = M(\beta(c))\,\tau` with :math:`M(x) = x / (2 - x)` (``'convex'``)
    or :math:`M(x) = x` (``'linear'``). An element passes when its confidence reaches the threshold of its
    predicted class. As in the reference implementation, the thresholds used for a batch come from the state
    before that batch, and the state is then updated with the batch (only in training mode).

    Two memories of the learning effect:

    - ``memory='sample'`` (the paper, classification): the latest confident prediction of each of the
      ``num_samples`` unlabeled items, updated through their dataset ``indices``. Needs one element per sample:
      ``(N,)`` (or ``(N, 1, 1)``) confidences.
    - ``memory='count'`` (dense outputs, where an item is a pixel that has no identity across iterations): an
      exponential moving average, with ``momentum``, of each batch's share of elements confidently predicted as
      each class (and of the unconfident share, playing :math:`N_{unused}`).

    Args:
        num_classes (int): number of classes :math:`C`.
        threshold (float): the fixed threshold :math:`\tau`. Defaults to 0.95.
        num_samples (int, optional): number of unlabeled items (``memory='sample'``).
        memory (str): ``'sample'`` or ``'count'``. Defaults to ``'sample'``.
        mapping (str): ``'convex'`` or ``'linear'``. Defaults to ``'convex'``.
        warmup (bool): threshold warm-up. Defaults to True.
        momentum (float): EMA factor of the new batch in ``memory='count'``. Defaults to 0.01.

    Shape:
        - confidence, labels: :math:`(N, *)`; indices: :math:`(N,)`
        - output weight / mask: :math:`(N, *)`

    Examples:
        >>> fm = FlexMatchMask(num_classes=3, num_samples=4)
        >>> fm.class_thresholds()  # nothing learnt yet: every threshold starts at 0
        tensor([0., 0., 0.])
    """

    def __init__(self,
                 num_classes: int,
                 threshold: float = 0.95,
                 num_samples: Optional[int] = None,
                 memory: str = 'sample',
                 mapping: str = 'convex',
                 warmup: bool = True,
                 momentum: float = 0.01) -> None:
        super().__init__()
        if memory not in ('sample', 'count'):
            raise ValueError(f"FlexMatchMask: memory must be 'sample' or 'count', got {memory!r}")
        if mapping not in ('convex', 'linear'):
            raise ValueError(f"FlexMatchMask: mapping must be 'convex' or 'linear', got {mapping!r}")
        if memory == 'sample' and (num_samples is None or num_samples < 1):
            raise ValueError("FlexMatchMask: memory='sample' needs num_samples (the number of unlabeled items)")
        if not 0.0 < momentum <= 1.0:
            raise ValueError(f'FlexMatchMask: momentum must be in (0, 1], got {momentum}')
        self.num_classes = num_classes
        self.threshold = threshold
        self.memory = memory
        self.mapping = mapping
        self.warmup = warmup
        self.momentum = momentum
        if memory == 'sample':
            self.register_buffer('selected_label', torch.full((num_samples,), -1, dtype=torch.long))
        else:
            # shares of elements confidently predicted as each class, then the unconfident share
            self.register_buffer('class_share', torch.zeros(num_classes + 1))

    def learning_effect(self) -> Tensor:
        r""":math:`\beta(c)` for every class, shape :math:`(C,)`."""
        if self.memory == 'sample':
            counts = torch.bincount(self.selected_label + 1, minlength=self.num_classes + 1).float()
            sigma, unused = counts[1:], counts[0]
            # every item in one group (at the start: all unused): no effect is measurable yet, all thresholds 0
            # (the reference code skips its update in that case and keeps its initial zeros)
            if counts.max() >= self.selected_label.numel():
                return torch.zeros(self.num_classes, device=counts.device)
        else:
            sigma, unused = self.class_share[:-1], self.class_share[-1]
        denom = torch.maximum(sigma.max(), unused) if self.warmup else sigma.max()
        if denom <= 0:
            return torch.zeros_like(sigma)
        return sigma / denom

    def class_thresholds(self) -> Tensor:
        r"""The current threshold :math:`\mathcal{T}(c)` of every class, shape :math:`(C,)`."""
        beta = self.learning_effect()
        mapped = beta / (2.0 - beta) if self.mapping == 'convex' else beta
        return mapped * self.threshold

    @torch.no_grad()
    def update(self, confidence: Tensor, labels: Tensor, valid: Optional[Tensor] = None,
               indices: Optional[Tensor] = None) -> None:
        """Record a batch's confident predictions in the memory."""
        valid = _valid_like(confidence, valid)
        confident = (confidence >= self.threshold) & valid
        if self.memory == 'sample':
            if indices is None:
                raise ValueError("FlexMatchMask(memory='sample') needs the dataset indices of the batch")
            if confidence.numel() != confidence.shape[0]:
                raise ValueError(f"FlexMatchMask(memory='sample') takes one confidence per sample, got shape "
                                 f"{tuple(confidence.shape)}; use memory='count' for dense predictions")
            indices = indices.to(self.selected_label.device).view(-1).long()
            confident = confident.reshape(-1)
            self.selected_label[indices[confident]] = labels.reshape(-1)[confident].to(self.selected_label)
        else:
            n_valid = valid.sum().clamp_min(1).float()
            hist = torch.bincount(labels[confident].view(-1), minlength=self.num_classes).float()
            unconfident = (valid & ~confident).sum().float()
            share = torch.cat([hist, unconfident.view(1)]) / n_valid
            self.class_share.mul_(1 - self.momentum).add_(share.to(self.class_share), alpha=self.momentum)

    def forward(self, confidence: Tensor, labels: Tensor, valid: Optional[Tensor] = None,
                indices: Optional[Tensor] = None) -> ConfidenceWeights:
        """Mask the batch with the current class-wise thresholds, then (in training mode) update the memory."""
        if labels.shape != confidence.shape:
            raise ValueError(f'labels {tuple(labels.shape)} and confidence {tuple(confidence.shape)} must have '
                             'the same shape (the class axis reduced)')
        valid = _valid_like(confidence, valid)
        thresholds = self.class_thresholds().to(confidence)
        mask = (confidence >= thresholds[labels.clamp(0, self.num_classes - 1)]) & valid
        if self.training:
            self.update(confidence, labels, valid, indices)
        return ConfidenceWeights(mask.to(confidence.dtype), mask, _share(mask, valid))

    def extra_repr(self) -> str:
        return (f'num_classes={self.num_classes}, threshold={self.threshold}, memory={self.memory!r}, '
                f'mapping={self.mapping!r}, warmup={self.warmup}')
