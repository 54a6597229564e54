"""FixMatch with attention consistency (seed 004): a learned attention module, features pooled with its map, and a
KL term asking the strong view's attention to match the weak view's on the confident samples.

The network (the classifier's neck, :class:`AttentionBiPooling`, so the EMA teacher and the test-time model carry
it too)::

    F = backbone(x)                                                  (N, D, H, W), last stage
    A = ReLU(BN(conv1x1_a(F))) + ReLU(BN(conv1x1_b(F)))              (N, 1, H, W): two 1x1 convolutions with BN and
                                                                     ReLU give two maps, summed
    f = mean_hw(A * F)                                               (N, D): bilinear attention pooling of F with A
    logits = fc(f)

A training step (FixMatch's loss on those logits, plus the attention term)::

    x_sup, weak(u), strong(u) -> one student forward -> logits and attention maps A_w, A_s
    FixMatch: pseudo-labels from softmax(logits_w), mask m = 1[max prob >= tau], CE on logits_s  (unchanged)
    a(A)   = softmax_{H*W}(A / temperature)                                                    (N, H*W)
    unsup_loss_att = attention_weight * lambda_u(t) * (1/N) sum_n m_n KL( a(A_w,n).detach() || a(A_s,n) )

so only samples whose confidence passes the threshold contribute to the KL (the same mask as FixMatch's loss), and
only the strong branch receives its gradient. The weak and strong views of the standard pipelines are cropped and
flipped independently; a pipeline sharing the geometry between the two branches makes the maps pixel-aligned.
"""
import contextlib
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn
from mmcv.cnn import build_norm_layer
from mmengine.model import BaseModule
from torch import Tensor

from densessl.models.ssl import kl_divergence
from densessl.registry import MODELS
from .fixmatch import FixMatch

__all__ = ['AttentionFixMatch', 'AttentionBiPooling', 'attention_distribution', 'attention_consistency']


@MODELS.register_module()
class AttentionBiPooling(BaseModule):
    """Attention module and bilinear attention pooling, as a classifier neck (mmpretrain ``neck`` interface).

    Args:
        in_channels (int): channels ``D`` of the backbone's last map.
        num_branches (int): 1x1-conv branches whose maps are summed (2 in seed 004).
        norm_cfg (dict): norm layer of each branch.
        init_cfg (dict, optional): initialisation.

    Shape:
        - input: a tuple of backbone outputs, the last one :math:`(N, D, H, W)`
        - output: a 1-tuple :math:`((N, D),)`

    Examples:
        >>> neck = AttentionBiPooling(8)
        >>> out = neck((torch.rand(2, 8, 4, 4), ))
        >>> out[0].shape, neck.attention(torch.rand(2, 8, 4, 4)).shape
        (torch.Size([2, 8]), torch.Size([2, 1, 4, 4]))
    """

    def __init__(self, in_channels: int, num_branches: int = 2, norm_cfg: dict = dict(type='BN'),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_branches < 1:
            raise ValueError(f'AttentionBiPooling: num_branches must be >= 1, got {num_branches}')
        self.branches = nn.ModuleList(
            nn.Sequential(nn.Conv2d(in_channels, 1, 1, bias=False), build_norm_layer(norm_cfg, 1)[1],
                          nn.ReLU(inplace=True)) for _ in range(num_branches))

    def attention(self, feats: Tensor) -> Tensor:
        """The attention map ``A`` ``(N, 1, H, W)`` of feature maps ``(N, D, H, W)`` (the branches' sum, >= 0)."""
        if feats.dim() != 4:
            raise ValueError(f'AttentionBiPooling needs (N, D, H, W) feature maps, got {tuple(feats.shape)}')
        return sum(branch(feats) for branch in self.branches)

    def pool(self, feats: Tensor, attn: Tensor) -> Tensor:
        """Bilinear attention pooling: ``mean_hw(A * F)`` ``(N, D)``."""
        return (feats * attn).mean(dim=(2, 3))

    def forward(self, inputs) -> Tuple[Tensor]:
        feats = inputs[-1] if isinstance(inputs, (tuple, list)) else inputs
        return (self.pool(feats, self.attention(feats)), )


def attention_distribution(attn: Tensor, temperature: float = 1.0) -> Tensor:
    r"""The attention map as a distribution over positions, :math:`\mathrm{softmax}_{hw}(A / T)`.

    Args:
        attn (Tensor): attention maps.
        temperature (float): softmax temperature :math:`T > 0`.

    Shape:
        - attn: :math:`(N, 1, H, W)` or :math:`(N, H, W)`
        - output: :math:`(N, H W)`, rows summing to one

    Returns:
        Tensor: the distribution of every sample.

    Examples:
        >>> attention_distribution(torch.tensor([[[[0., 1.]]]]))
        tensor([[0.2689, 0.7311]])
    """
    if temperature <= 0:
        raise ValueError(f'temperature must be > 0, got {temperature}')
    return torch.softmax(attn.flatten(1) / temperature, dim=1)


def attention_consistency(attn_strong: Tensor, attn_weak: Tensor, mask: Optional[Tensor] = None,
                          temperature: float = 1.0) -> Tensor:
    r""":math:`\frac{1}{N}\sum_n m_n \mathrm{KL}(a(A^w_n) \,\|\, a(A^s_n))`, the weak maps a fixed target.

    Args:
        attn_strong (Tensor): maps of the strong views (receive the gradient).
        attn_weak (Tensor): maps of the weak views (detached).
        mask (Tensor, optional): which samples count (their pseudo-label passed the confidence threshold);
            ``None``: all.
        temperature (float): of :func:`attention_distribution`.

    Shape:
        - attn_strong, attn_weak: :math:`(N, 1, H, W)`; mask: :math:`(N,)`
        - output: scalar

    Returns:
        Tensor: the masked KL divergence averaged over all ``N`` samples (0 when the maps agree or nothing passes).

    Examples:
        >>> a = torch.rand(2, 1, 3, 3)
        >>> attention_consistency(a, a).abs() < 1e-6
        tensor(True)
        >>> b = torch.rand(2, 1, 3, 3)
        >>> attention_consistency(b, a, mask=torch.tensor([False, False]))
        tensor(0.)
    """
    if attn_strong.shape != attn_weak.shape:
        raise ValueError(f'attention_consistency: strong maps {tuple(attn_strong.shape)} and weak maps '
                         f'{tuple(attn_weak.shape)} differ')
    if temperature <= 0:
        raise ValueError(f'temperature must be > 0, got {temperature}')
    scores = attn_strong.flatten(1) / temperature  # log_softmax(scores) = log a(A_s)
    target = attention_distribution(attn_weak.detach(), temperature)
    weight = None if mask is None else mask.to(scores.dtype)
    return kl_divergence(scores, target, weight=weight, reduction='mean')


@MODELS.register_module()
class AttentionFixMatch(FixMatch):
    """FixMatch + KL between the attention maps of the weak (target) and strong views of the confident samples.

    The classifier's neck must be :class:`AttentionBiPooling` (e.g. ``neck=dict(type='AttentionBiPooling',
    in_channels=512)``): it makes the attention maps and pools the features with them.

    ``semi_train_cfg`` keys (besides :class:`FixMatch`'s): ``attention_weight`` (1.0; also scaled by the
    unsupervised factor, as FixMatch's loss), ``attention_temperature`` (1.0). Needs
    ``pseudo_label_from='student'`` (the weak maps come from the same forward).

    Losses: FixMatch's plus ``unsup_loss_att``.

    Raises:
        ValueError: another neck, ``pseudo_label_from='teacher'`` or a non-positive temperature.
    """

    default_semi_train_cfg = dict(FixMatch.default_semi_train_cfg, attention_weight=1.0, attention_temperature=1.0)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cfg = self.semi_train_cfg
        if cfg['pseudo_label_from'] != 'student':
            raise ValueError("AttentionFixMatch: pseudo_label_from must be 'student' (the weak attention maps come "
                             'from the student forward)')
        if cfg['attention_temperature'] <= 0:
            raise ValueError(f"AttentionFixMatch: attention_temperature must be > 0, got "
                             f"{cfg['attention_temperature']}")
        if not isinstance(getattr(self.student, 'neck', None), AttentionBiPooling):
            raise ValueError("AttentionFixMatch: the classifier's neck must be the attention module; set "
                             "classifier.neck=dict(type='AttentionBiPooling', in_channels=<backbone channels>), got "
                             f'{type(getattr(self.student, "neck", None)).__name__}')

    def forward_student_maps(self, *inputs: Tensor) -> List[Tuple[Tensor, Tensor]]:
        """``(logits, attention map)`` of every input batch in one student forward (maps ``(N, 1, H, W)``)."""
        model = self.student
        sizes = [x.shape[0] for x in inputs]
        feats = model.backbone(torch.cat(inputs))[-1]
        attn = model.neck.attention(feats)
        logits = self.head_logits(model, model.neck.pool(feats, attn))
        return list(zip(logits.split(sizes), attn.split(sizes)))

    @contextlib.contextmanager
    def _capture_confidence(self):
        """Records the confidence mask FixMatch's loss computes (one call of the mask module, no second update of a
        stateful mask such as FlexMatch's)."""
        seen = []
        handle = self.confidence_mask.register_forward_hook(lambda module, args, out: seen.append(out))
        try:
            yield seen
        finally:
            handle.remove()

    def loss_semi(self, inputs: Dict[str, Tensor], data_samples: Dict[str, list]) -> dict:
        x_sup, weak, strong = inputs['sup'], inputs['unsup_teacher'], inputs['unsup_student']
        (logits_sup, _), (logits_weak, attn_weak), (logits_strong, attn_strong) = \
            self.forward_student_maps(x_sup, weak, strong)
        losses = self.sup_loss(logits_sup, data_samples['sup'])
        with self._capture_confidence() as seen:
            losses.update(self.loss_unsup(logits_weak, logits_strong, data_samples.get('unsup_teacher')))
        mask = seen[-1].mask.reshape(-1)
        cfg = self.semi_train_cfg
        losses['unsup_loss_att'] = attention_consistency(attn_strong, attn_weak, mask, cfg['attention_temperature']) \
            * cfg['attention_weight'] * self.unsup_factor()
        return losses
