"""Pseudo-labels from a teacher's logits, for classification ``(N, C)`` and dense ``(N, C, *)`` outputs alike.

The class axis is ``dim=1`` everywhere, so one implementation serves image classification (``(N, C)``) and
segmentation (``(N, C, H, W)``): a ``(N, C)`` tensor and a ``(N, C, 1, 1)`` tensor give the same labels,
probabilities and confidences (up to the trailing singleton axes).
"""
from typing import NamedTuple, Optional

import torch
import torch.nn as nn
from torch import Tensor

from densessl.registry import MODELS
from densessl.utils.checks import check_choice

__all__ = ['PseudoLabels', 'sharpen', 'fuse_prior', 'pseudo_label', 'PseudoLabeler']

_MODES = ('hard', 'soft', 'sharpen')
_FUSIONS = ('add', 'mul')


class PseudoLabels(NamedTuple):
    """What a teacher prediction turns into.

    Attributes:
        labels (Tensor): ``(N, *)`` long, the argmax class of :attr:`probs`.
        probs (Tensor): ``(N, C, *)`` the target distribution (one-hot of :attr:`labels` in ``'hard'`` mode,
            the (prior-fused) softmax in ``'soft'`` mode, its sharpened version in ``'sharpen'`` mode).
        confidence (Tensor): ``(N, *)`` the maximum class probability of the (prior-fused, unsharpened)
            distribution, the quantity confidence thresholds are applied to.
    """
    labels: Tensor
    probs: Tensor
    confidence: Tensor


def _check_logits(logits: Tensor, name: str = 'logits') -> None:
    if not isinstance(logits, Tensor):
        raise TypeError(f'{name} must be a Tensor, got {type(logits).__name__}')
    if logits.dim() < 2:
        raise ValueError(f'{name} must have a class axis at dim=1, shape (N, C, *), got {tuple(logits.shape)}')


def sharpen(probs: Tensor, temperature: float) -> Tensor:
    r"""Sharpen a distribution along ``dim=1``: :math:`p_c^{1/T} / \sum_k p_k^{1/T}` (MixMatch).

    Args:
        probs (Tensor): probabilities, class axis ``dim=1``.
        temperature (float): :math:`T > 0`; ``T < 1`` sharpens, ``T = 1`` is the identity.

    Shape:
        - probs: :math:`(N, C, *)`
        - output: :math:`(N, C, *)`

    Returns:
        Tensor: the sharpened distribution, summing to one along ``dim=1``.

    Examples:
        >>> p = torch.tensor([[0.6, 0.4]])
        >>> sharpen(p, 0.5)
        tensor([[0.6923, 0.3077]])
    """
    if temperature <= 0:
        raise ValueError(f'temperature must be > 0, got {temperature}')
    # computed in log space: p ** (1 / T) underflows for small T
    return torch.softmax(torch.log(probs.clamp_min(1e-12)) / temperature, dim=1)


def fuse_prior(probs: Tensor, prior: Tensor, fusion: str = 'add') -> Tensor:
    r"""Combine a prediction with a prior over the classes and renormalise along ``dim=1``.

    ``'add'`` is AS3L's prior pseudo-label fusion, :math:`\mathrm{normalise}(prior + p)`; ``'mul'`` is a Bayes
    update, :math:`\mathrm{normalise}(prior \cdot p)`.

    Args:
        probs (Tensor): class probabilities, class axis ``dim=1``.
        prior (Tensor): non-negative prior, broadcastable to ``probs``: ``(C,)`` (one class distribution for
            every sample) or ``(N, C, *)`` (one per sample / pixel).
        fusion (str): ``'add'`` or ``'mul'``.

    Shape:
        - probs: :math:`(N, C, *)`
        - prior: :math:`(C,)` or :math:`(N, C, *)`
        - output: :math:`(N, C, *)`

    Returns:
        Tensor: the fused distribution.

    Examples:
        >>> fuse_prior(torch.tensor([[0.5, 0.5]]), torch.tensor([1., 0.]))
        tensor([[0.7500, 0.2500]])
    """
    if fusion not in _FUSIONS:
        raise ValueError(f'fusion must be one of {_FUSIONS}, got {fusion!r}')
    prior = prior.to(device=probs.device, dtype=probs.dtype)
    if prior.dim() == 1:
        if prior.numel() != probs.shape[1]:
            raise ValueError(f'prior has {prior.numel()} classes but the prediction has {probs.shape[1]}')
        prior = prior.view(1, -1, *([1] * (probs.dim() - 2)))
    elif prior.shape[1] != probs.shape[1]:
        raise ValueError(f'prior of shape {tuple(prior.shape)} does not match the prediction '
                         f'{tuple(probs.shape)} along the class axis dim=1')
    if (prior < 0).any():
        raise ValueError('prior must be non-negative')
    fused = probs + prior if fusion == 'add' else probs * prior
    return fused / fused.sum(dim=1, keepdim=True).clamp_min(1e-12)


def pseudo_label(logits: Tensor,
                 mode: str = 'hard',
                 temperature: float = 1.0,
                 sharpen_temperature: float = 0.5,
                 prior: Optional[Tensor] = None,
                 fusion: str = 'add') -> PseudoLabels:
    r"""Turn logits into pseudo-labels (no gradient flows to the logits).

    ``softmax(logits / temperature)`` is fused with ``prior`` when one is given; the confidence is the maximum of
    that distribution; the target is its argmax (``'hard'``), itself (``'soft'``) or its sharpened version
    (``'sharpen'``, :func:`sharpen` with ``sharpen_temperature``).

    Args:
        logits (Tensor): teacher logits, class axis ``dim=1``.
        mode (str): ``'hard'``, ``'soft'`` or ``'sharpen'``.
        temperature (float): softmax temperature applied to the logits. Defaults to 1.
        sharpen_temperature (float): temperature of ``'sharpen'`` mode. Defaults to 0.5 (MixMatch).
        prior (Tensor, optional): class prior fused into the prediction (:func:`fuse_prior`).
        fusion (str): how the prior is fused, ``'add'`` (AS3L) or ``'mul'``.

    Shape:
        - logits: :math:`(N, C, *)`
        - labels, confidence: :math:`(N, *)`
        - probs: :math:`(N, C, *)`

    Returns:
        PseudoLabels: ``labels``, ``probs`` (the target distribution), ``confidence``.

    Examples:
        >>> out = pseudo_label(torch.tensor([[2., 0., 0.]]))
        >>> out.labels, out.probs
        (tensor([0]), tensor([[1., 0., 0.]]))
        >>> out.confidence
        tensor([0.7870])
    """
    _check_logits(logits)
    if mode not in _MODES:
        raise ValueError(f'mode must be one of {_MODES}, got {mode!r}')
    if temperature <= 0:
        raise ValueError(f'temperature must be > 0, got {temperature}')
    with torch.no_grad():
        probs = torch.softmax(logits.detach().float() / temperature, dim=1)
        if prior is not None:
            probs = fuse_prior(probs, prior, fusion)
        confidence, labels = probs.max(dim=1)
        if mode == 'hard':
            target = torch.zeros_like(probs).scatter_(1, labels.unsqueeze(1), 1.0)
        elif mode == 'soft':
            target = probs
        else:
            target = sharpen(probs, sharpen_temperature)
    return PseudoLabels(labels, target, confidence)


@MODELS.register_module()
class PseudoLabeler(nn.Module):
    """Module form of :func:`pseudo_label`, configurable from a config and holding an optional prior.

    Args:
        mode (str): ``'hard'`` (argmax), ``'soft'`` (softmax) or ``'sharpen'``. Defaults to ``'hard'``.
        temperature (float): softmax temperature. Defaults to 1.
        sharpen_temperature (float): temperature of ``'sharpen'`` mode. Defaults to 0.5.
        prior (list[float], optional): a class prior ``(C,)`` fused into every prediction; per-sample priors are
            passed to :meth:`forward` instead (e.g. AS3L's propagated labels). :meth:`set_prior` replaces it and
            ``None`` drops it (AS3L stops using the prior after step ``T``).
        fusion (str): ``'add'`` (AS3L) or ``'mul'``.

    Examples:
        >>> labeler = PseudoLabeler(mode='soft')
        >>> labeler(torch.zeros(2, 4, 3, 3)).probs.shape
        torch.Size([2, 4, 3, 3])
    """

    def __init__(self,
                 mode: str = 'hard',
                 temperature: float = 1.0,
                 sharpen_temperature: float = 0.5,
                 prior: Optional[list] = None,
                 fusion: str = 'add') -> None:
        super().__init__()
        check_choice('PseudoLabeler', 'mode', mode, _MODES)
        check_choice('PseudoLabeler', 'fusion', fusion, _FUSIONS)
        self.mode = mode
        self.temperature = temperature
        self.sharpen_temperature = sharpen_temperature
        self.fusion = fusion
        self.prior: Optional[Tensor]
        # not persistent: a prior is data of the current run (set by a hook), not a weight of the model
        self.register_buffer('prior', None if prior is None else torch.as_tensor(prior, dtype=torch.float32),
                             persistent=False)

    def set_prior(self, prior: Optional[Tensor]) -> None:
        """Replace the class prior (``None`` stops fusing one)."""
        self.prior = None if prior is None else torch.as_tensor(prior, dtype=torch.float32)

    def forward(self, logits: Tensor, prior: Optional[Tensor] = None) -> PseudoLabels:
        """Pseudo-label ``logits`` (see :func:`pseudo_label`); ``prior`` overrides the stored one."""
        prior = self.prior if prior is None else prior
        return pseudo_label(logits, self.mode, self.temperature, self.sharpen_temperature, prior, self.fusion)

    def extra_repr(self) -> str:
        return f'mode={self.mode!r}, temperature={self.temperature}, fusion={self.fusion!r}'
