"""Feature perturbations: applied to the encoder features of a view before the decoder (UniMatch's ``fp`` stream).

::

    encoder(weak) -> [f_1, ..., f_L] --FeatureDropout--> [d(f_1), ..., d(f_L)] -> decoder -> perturbed logits

The decoder sees every feature level it uses perturbed (for DeepLabV3+: the low-level and the high-level maps, as
UniMatch drops both). Randomness comes from the global torch generator, which the semi-supervised models seed per
training step, so a resumed run replays the same channels.
"""
from typing import List, Sequence, Union

import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from densessl.registry import MODELS

__all__ = ['FeatureDropout', 'feature_dropout']


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
