"""BYOL (Grill et al., NeurIPS 2020) for target pretraining: mmpretrain's BYOL + the affine and weight regulariser.

Everything of the algorithm is mmpretrain's (``BYOL``: online backbone + ``NonLinearNeck`` projector,
``LatentPredictHead`` predictor with ``CosineSimilarityLoss``, ``CosineEMA`` target); densessl adds the two
switches of target pretraining around its ``loss()``: the differentiable affine on both views (an instance-level
loss needs no inverse warp) and ``loss_wreg``.
"""
from typing import Dict, List, Optional, Union

import torch
from mmpretrain.models.selfsup.byol import BYOL as _MMPretrainBYOL

from densessl.registry import MODELS
from .base import TargetPretrainMixin, selfsup_preprocessor

__all__ = ['BYOL']


@MODELS.register_module()
class BYOL(TargetPretrainMixin, _MMPretrainBYOL):
    """mmpretrain's BYOL with target pretraining's affine augmentation and weight regulariser.

    Args:
        backbone, neck, head: as mmpretrain's ``BYOL`` (use ``type='mmpretrain.NonLinearNeck'`` /
            ``'mmpretrain.LatentPredictHead'`` under the densessl scope).
        base_momentum: MMEngine-convention momentum of ``CosineEMA`` (0.01 ≡ BYOL's τ_base = 0.99).
        affine: :class:`~densessl.models.augment.DifferentiableAffine` config, ``None`` to switch it off.
        weight_reg: λ of ``loss_wreg``, 0 to switch it off.
        pretrained, data_preprocessor, init_cfg: as mmpretrain's ``BYOL``.

    Losses: ``loss_byol`` (mmpretrain's ``2 (l_12 + l_21)``) and ``loss_wreg``.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 base_momentum: float = 0.01,
                 affine: Optional[dict] = dict(type='DifferentiableAffine'),
                 weight_reg: float = 1e-2,
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[List[dict], dict]] = None) -> None:
        super().__init__(backbone=backbone, neck=neck, head=head, base_momentum=base_momentum,
                         pretrained=pretrained, data_preprocessor=selfsup_preprocessor(data_preprocessor),
                         init_cfg=init_cfg)
        self.init_target_pretrain(affine, weight_reg)

    def loss(self, inputs: List[torch.Tensor], data_samples: list, **kwargs) -> Dict[str, torch.Tensor]:
        self.start_weights_ready()
        views, _ = self.affine_views(inputs)
        losses = dict(loss_byol=super().loss(views, data_samples, **kwargs)['loss'])
        losses.update(self.wreg_losses())
        return losses
