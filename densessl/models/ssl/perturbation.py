"""Perturbations of a view: of its encoder features (UniMatch's ``fp`` stream) and of its input (VAT).

::

    encoder(weak) -> [f_1, ..., f_L] --FeatureDropout--> [d(f_1), ..., d(f_L)] -> decoder -> perturbed logits
    x --vat_perturbation(forward, x, logits)--> x + r_adv        r_adv: the direction the prediction is most
                                                                  sensitive to (power iteration on the KL)

The decoder sees every feature level it uses perturbed (for DeepLabV3+: the low-level and the high-level maps, as
UniMatch drops both). Randomness comes from the global torch generator, which the semi-supervised models seed per
training step, so a resumed run replays the same channels.
"""
from typing import Callable, List, Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from densessl.registry import MODELS
from .consistency import kl_divergence

__all__ = ['FeatureDropout', 'feature_dropout', 'vat_perturbation', 'l2_normalize']


def feature_dropout(feats: Union[Tensor, Sequence[Tensor]], p: float = 0.5) -> Union[Tensor, List[Tensor]]:
    r"""Channel dropout (``Dropout2d``) on a feature map or on each map of a list: each channel of each sample is
    zeroed with probability ``p`` and the kept ones are scaled by :math:`1 / (1 - p)`. Always active (the
    perturbation is the point, also when the model is in eval mode).

    Args:
        feats (Tensor | list[Tensor]): feature maps.
        p (float): drop probability in ``[0, 1)``. Defaults to 0.5 (UniMatch).

    Shape:
        - feats: :math:`(N, C, H, W)` each
        - output: same as ``feats``

    Returns:
        Tensor | list[Tensor]: the perturbed maps (a list for a list input).

    Examples:
        >>> import torch
        >>> out = feature_dropout(torch.ones(1, 4, 2, 2), p=0.5)
        >>> sorted(set(out.flatten().tolist())) in ([0.0, 2.0], [0.0], [2.0])
        True
    """
    if not 0.0 <= p < 1.0:
        raise ValueError(f'feature_dropout: p must be in [0, 1), got {p}')
    if isinstance(feats, Tensor):
        return F.dropout2d(feats, p=p, training=True)
    return [F.dropout2d(f, p=p, training=True) for f in feats]


@MODELS.register_module()
class FeatureDropout(nn.Module):
    """:func:`feature_dropout` as a configurable component (``dict(type='FeatureDropout', p=0.5)``).

    Examples:
        >>> import torch
        >>> [f.shape for f in FeatureDropout(0.5)([torch.ones(2, 3, 4, 4), torch.ones(2, 5, 2, 2)])]
        [torch.Size([2, 3, 4, 4]), torch.Size([2, 5, 2, 2])]
    """

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        if not 0.0 <= p < 1.0:
            raise ValueError(f'FeatureDropout: p must be in [0, 1), got {p}')
        self.p = p

    def forward(self, feats: Union[Tensor, Sequence[Tensor]]) -> Union[Tensor, List[Tensor]]:
        return feature_dropout(feats, self.p)

    def extra_repr(self) -> str:
        return f'p={self.p}'


def l2_normalize(d: Tensor, eps: float = 1e-12) -> Tensor:
    """Scale every sample of ``d`` (all axes but the first) to unit L2 norm.

    Examples:
        >>> l2_normalize(torch.tensor([[3., 4.], [0., 2.]]))
        tensor([[0.6000, 0.8000],
                [0.0000, 1.0000]])
    """
    norm = d.flatten(1).norm(dim=1).clamp_min(eps)
    return d / norm.view(-1, *([1] * (d.dim() - 1)))


def vat_perturbation(forward: Callable[[Tensor], Tensor],
                     x: Tensor,
                     logits: Tensor,
                     xi: float = 1e-6,
                     eps: float = 6.0,
                     power_iters: int = 1) -> Tensor:
    r"""The virtual adversarial perturbation :math:`r_{adv}` of ``x`` (Miyato et al. 2018, Alg. 1).

    Args:
        forward (callable): maps inputs ``(N, ...)`` to logits ``(N, C, *)`` (class axis ``dim=1``).
        x (Tensor): the clean inputs.
        logits (Tensor): the clean logits (treated as constants).
        xi (float): finite-difference step of the power iteration.
        eps (float): L2 norm of the returned perturbation (per sample).
        power_iters (int): power iterations (1 in the paper).

    Shape:
        - x, output: :math:`(N, *)`
        - logits: :math:`(N, C, *)`

    Returns:
        Tensor: ``eps`` times the unit direction that (approximately) maximises the KL divergence between the
        clean and the perturbed prediction; no gradient flows through it.

    Examples:
        >>> lin = torch.nn.Linear(2, 2)
        >>> x = torch.zeros(3, 2)
        >>> r = vat_perturbation(lin, x, lin(x), eps=2.0)
        >>> r.shape, torch.allclose(r.norm(dim=1), torch.full((3,), 2.0))
        (torch.Size([3, 2]), True)
    """
    if power_iters < 1:
        raise ValueError(f'power_iters must be >= 1, got {power_iters}')
    target = torch.softmax(logits.detach(), dim=1)
    d = l2_normalize(torch.randn_like(x))
    for _ in range(power_iters):
        d = (xi * d).requires_grad_(True)
        with torch.enable_grad():
            dist = kl_divergence(forward(x.detach() + d), target, reduction='sum')
            grad, = torch.autograd.grad(dist, d)
        d = l2_normalize(grad.detach())
    return eps * d
