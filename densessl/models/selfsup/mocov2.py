"""MoCo v2 (Chen et al., 2020) for target pretraining: mmpretrain's ``MoCo`` + the affine and weight regulariser.

The algorithm (query/key encoders, negative queue, ``MoCoV2Neck``, ``ContrastiveHead`` with temperature 0.2) is
mmpretrain's; densessl applies the differentiable affine to both views and adds ``loss_wreg``. MoCo v2 keeps its
key encoder with a constant teacher weight 0.999 (MMEngine ``momentum=0.001``); a
:class:`~densessl.engine.hooks.MomentumScheduleHook` may schedule it like PixPro/BYOL.
"""
from typing import Dict, List, Optional, Union

import torch
from mmpretrain.models.selfsup.moco import MoCo as _MMPretrainMoCo

from densessl.registry import MODELS
from .base import TargetPretrainMixin, selfsup_preprocessor

__all__ = ['MoCoV2']


@MODELS.register_module()
class MoCoV2(TargetPretrainMixin, _MMPretrainMoCo):
    """mmpretrain's MoCo (v2 setting) with target pretraining's affine augmentation and weight regulariser.

    Args:
        backbone, neck, head: as mmpretrain's ``MoCo`` (``type='mmpretrain.MoCoV2Neck'`` /
            ``'mmpretrain.ContrastiveHead'`` under the densessl scope).
        queue_len: negatives kept (65536 in MoCo v2; must be a multiple of the batch size).
        feat_dim: embedding size (128).
        momentum: MMEngine-convention momentum of the key encoder (0.001 ≡ MoCo's m = 0.999).
        affine: :class:`~densessl.models.augment.DifferentiableAffine` config, ``None`` to switch it off.
        weight_reg: λ of ``loss_wreg``, 0 to switch it off.

    Losses: ``loss_moco`` (InfoNCE) and ``loss_wreg``.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 queue_len: int = 65536,
                 feat_dim: int = 128,
                 momentum: float = 0.001,
                 affine: Optional[dict] = dict(type='DifferentiableAffine'),
                 weight_reg: float = 1e-2,
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[List[dict], dict]] = None) -> None:
        super().__init__(backbone=backbone, neck=neck, head=head, queue_len=queue_len, feat_dim=feat_dim,
                         momentum=momentum, pretrained=pretrained,
                         data_preprocessor=selfsup_preprocessor(data_preprocessor), init_cfg=init_cfg)
        self.init_target_pretrain(affine, weight_reg)

    def loss(self, inputs: List[torch.Tensor], data_samples: list, **kwargs) -> Dict[str, torch.Tensor]:
        self.start_weights_ready()
        views, _ = self.affine_views(inputs)
        losses = dict(loss_moco=super().loss(views, data_samples, **kwargs)['loss'])
        losses.update(self.wreg_losses())
        return losses
