"""FixMatch with an attention-consistency term: the strong view's spatial attention map should match the weak
view's (attention maps as in Zagoruyko & Komodakis, "Paying More Attention to Attention", ICLR 2017, made
distributions by a softmax over the positions).

A training step::

    F_sup, F_w, F_s = backbone([x_sup, weak(u), strong(u)])      last-stage maps (N, D, H, W), one forward
    logits = fc(pool(F))                                          FixMatch's loss on the logits (unchanged)
    a(F)   = softmax_{H*W}( mean_d F^2 / temperature )            (N, H*W)
    unsup_loss_att = attention_weight * mean_n KL( a(F_w).detach() || a(F_s) )

Only the strong branch receives the gradient of the attention term. The weak and strong views of the standard
pipelines are cropped and flipped independently, so the term also asks for some invariance of *where* the
network looks; a pipeline sharing the geometry between the two branches makes the maps pixel-aligned.
"""
from typing import Dict, List, Tuple

import torch
from torch import Tensor

from densessl.models.ssl import kl_divergence
from densessl.registry import MODELS
from .fixmatch import FixMatch

__all__ = ['AttentionFixMatch', 'attention_map', 'attention_consistency']


def attention_map(feats: Tensor, temperature: float = 1.0) -> Tensor:
    r"""Spatial attention distribution of feature maps: the softmax over the positions of the channel mean of
    the squared features, :math:`\mathrm{softmax}_{hw}(\frac{1}{D}\sum_d F_{dhw}^2 / T)`.

    Args:
        feats (Tensor): feature maps.
        temperature (float): softmax temperature :math:`T > 0`.

    Shape:
        - feats: :math:`(N, D, H, W)`
        - output: :math:`(N, H W)`, each row summing to one

    Returns:
        Tensor: the attention distribution of every sample.

    Examples:
        >>> f = torch.zeros(1, 2, 1, 2)
        >>> f[0, :, 0, 1] = 1.0
        >>> attention_map(f)
        tensor([[0.2689, 0.7311]])
    """
    if feats.dim() != 4:
        raise ValueError(f'attention_map needs (N, D, H, W) feature maps, got {tuple(feats.shape)}')
    if temperature <= 0:
        raise ValueError(f'temperature must be > 0, got {temperature}')
    return torch.softmax(feats.pow(2).mean(dim=1).flatten(1) / temperature, dim=1)


def attention_consistency(feats_strong: Tensor, feats_weak: Tensor, temperature: float = 1.0) -> Tensor:
    r""":math:`\frac{1}{N}\sum_n \mathrm{KL}(a(F^w_n) \,\|\, a(F^s_n))` with the weak maps as a fixed target.

    Args:
        feats_strong (Tensor): maps of the strong views (receive the gradient).
        feats_weak (Tensor): maps of the weak views (detached).
        temperature (float): of :func:`attention_map`.

    Shape:
        - feats_strong, feats_weak: :math:`(N, D, H, W)`
        - output: scalar

    Returns:
        Tensor: the mean KL divergence (0 when the maps agree).

    Examples:
        >>> f = torch.rand(2, 3, 4, 4)
        >>> attention_consistency(f, f).abs() < 1e-6
        tensor(True)
    """
    if feats_strong.shape[0] != feats_weak.shape[0] or feats_strong.shape[2:] != feats_weak.shape[2:]:
        raise ValueError(f'attention_consistency: strong maps {tuple(feats_strong.shape)} and weak maps '
                         f'{tuple(feats_weak.shape)} differ in batch or spatial size')
    # the attention score is the "logit" of the position distribution: log_softmax(score) = log a(F)
    scores = feats_strong.pow(2).mean(dim=1).flatten(1) / temperature
    target = attention_map(feats_weak.detach(), temperature)
    return kl_divergence(scores, target, reduction='mean')


@MODELS.register_module()
class AttentionFixMatch(FixMatch):
    """FixMatch + KL between the spatial attention maps of the weak (target) and strong views.

    ``semi_train_cfg`` keys (besides :class:`FixMatch`'s): ``attention_weight`` (1.0; also scaled by the
    unsupervised ramp), ``attention_temperature`` (1.0), ``attention_stage`` (-1: which backbone output, i.e.
    the last stage). Needs ``pseudo_label_from='student'`` (the weak maps come from the same forward).

    Losses: FixMatch's plus ``unsup_loss_att``.
    """

    default_semi_train_cfg = dict(
        FixMatch.default_semi_train_cfg, attention_weight=1.0, attention_temperature=1.0, attention_stage=-1)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cfg = self.semi_train_cfg
        if cfg['pseudo_label_from'] != 'student':
            raise ValueError("AttentionFixMatch: pseudo_label_from must be 'student' (the weak attention maps come "
                             'from the student forward)')
        if cfg['attention_temperature'] <= 0:
            raise ValueError(f"AttentionFixMatch: attention_temperature must be > 0, got "
                             f"{cfg['attention_temperature']}")

    def forward_student_maps(self, *inputs: Tensor) -> List[Tuple[Tensor, Tensor]]:
        """``(logits, maps)`` of every input batch in one student forward (maps: the chosen backbone stage,
        ``(N, D, H, W)``)."""
        model = self.student
        sizes = [x.shape[0] for x in inputs]
        outs = model.backbone(torch.cat(inputs))
        maps = outs[self.semi_train_cfg['attention_stage']]
        feats = model.neck(outs) if getattr(model, 'neck', None) is not None else outs
        pooled = model.head.pre_logits(feats) if hasattr(model.head, 'pre_logits') else feats[-1]
        logits = self.head_logits(model, pooled)
        return list(zip(logits.split(sizes), maps.split(sizes)))

    def loss_semi(self, inputs: Dict[str, Tensor], data_samples: Dict[str, list]) -> dict:
        x_sup, weak, strong = inputs['sup'], inputs['unsup_teacher'], inputs['unsup_student']
        (logits_sup, _), (logits_weak, maps_weak), (logits_strong, maps_strong) = \
            self.forward_student_maps(x_sup, weak, strong)
        losses = self.sup_loss(logits_sup, data_samples['sup'])
        losses.update(self.loss_unsup(logits_weak, logits_strong, data_samples.get('unsup_teacher')))
        cfg = self.semi_train_cfg
        losses['unsup_loss_att'] = attention_consistency(maps_strong, maps_weak, cfg['attention_temperature']) * \
            cfg['attention_weight'] * self.unsup_factor()
        return losses
