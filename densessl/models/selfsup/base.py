"""What every target-pretraining model shares: the affine switch, the weight regulariser and the target nets.

Target pretraining (Xu et al.) continues self-supervised training from ImageNet weights on the target images. Two
additions to the base algorithms are switchable in the config and on by default:

- ``affine``: a :class:`~densessl.models.augment.DifferentiableAffine` applied to every view inside the model
  (``None`` switches it off);
- ``weight_reg``: the loss term :math:`\\lambda \\lVert \\Phi - \\Phi_{pre} \\rVert^2` (:math:`\\lambda = 10^{-2}`)
  between the backbone parameters and a frozen copy of the weights the backbone has when training starts (the
  loaded ImageNet checkpoint), logged as ``loss_wreg`` (``0`` switches it off).

EMA convention (pinned in ``tests/test_engine/test_hooks/test_momentum_schedule_hook.py``): the target networks
are MMEngine averaged models; their ``momentum`` attribute is the weight of the **new online** parameters,
``target = (1 - momentum) * target + momentum * online``. The PixPro/BYOL papers' "momentum 0.99" is the
*teacher's* weight, i.e. MMEngine ``momentum = 0.01``. :meth:`TargetPretrainMixin.set_teacher_weight` takes the
papers' number.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.model import BaseAveragedModel

from densessl.registry import MODELS


def selfsup_preprocessor(data_preprocessor):
    """Default the data preprocessor to mmpretrain's ``SelfSupDataPreprocessor`` (scope-qualified)."""
    if data_preprocessor is None:
        data_preprocessor = {}
    if isinstance(data_preprocessor, dict):
        data_preprocessor = dict(data_preprocessor)
        data_preprocessor.setdefault('type', 'mmpretrain.SelfSupDataPreprocessor')
    return data_preprocessor


class WeightSnapshot(nn.Module):
    """A frozen copy of a module's parameters, stored as buffers (saved in checkpoints, never optimised).

    Args:
        module: the module whose parameters are copied (only the names/shapes are used here; call
            :meth:`capture` to take the values).
    """

    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.names: List[str] = [n for n, p in module.named_parameters() if p.requires_grad]
        for name, param in module.named_parameters():
            if param.requires_grad:
                self.register_buffer(self._key(name), param.detach().clone())
        self.register_buffer('captured', torch.tensor(False))

    @staticmethod
    def _key(name: str) -> str:
        return name.replace('.', '__')

    def reference(self, name: str) -> torch.Tensor:
        return getattr(self, self._key(name))

    @torch.no_grad()
    def capture(self, module: nn.Module) -> None:
        """Copy the current parameter values of ``module`` and mark the snapshot as taken."""
        params = dict(module.named_parameters())
        for name in self.names:
            self.reference(name).copy_(params[name].detach())
        self.captured.fill_(True)


def weight_regularisation(module: nn.Module, snapshot: WeightSnapshot, weight: float) -> torch.Tensor:
    r"""The weight regulariser :math:`\lambda \sum_i \lVert \Phi_i - \Phi_{pre, i} \rVert^2`.

    Its gradient with respect to :math:`\Phi` is :math:`2 \lambda (\Phi - \Phi_{pre})`.

    Args:
        module: the trained module (the backbone).
        snapshot: the frozen starting weights.
        weight: :math:`\lambda`.

    Returns:
        a scalar tensor connected to the parameters of ``module``.
    """
    params = dict(module.named_parameters())
    terms = [((params[n] - snapshot.reference(n))**2).sum() for n in snapshot.names]
    return weight * torch.stack(terms).sum()


class TargetPretrainMixin:
    """Affine switch, weight regulariser and target-net momentum shared by PixPro, BYOL and MoCo v2.

    A class using it calls :meth:`init_target_pretrain` at the end of its ``__init__`` (after ``self.backbone``
    exists) and, in ``loss()``, :meth:`start_weights_ready`, :meth:`affine_views` and :meth:`wreg_losses`.
    """

    def init_target_pretrain(self, affine: Optional[dict] = None, weight_reg: float = 1e-2) -> None:
        """Build the affine module (``None``: off) and the weight snapshot (``weight_reg=0``: off)."""
        if weight_reg < 0:
            raise ValueError(f'weight_reg must be >= 0, got {weight_reg}')
        if affine is not None and not isinstance(affine, nn.Module):
            affine = dict(affine)
            affine.setdefault('type', 'DifferentiableAffine')
            affine = MODELS.build(affine)
        self.affine = affine
        self.weight_reg = float(weight_reg)
        # A plain attribute container: BaseModule.init_weights() does not recurse into it.
        self.backbone_pre = WeightSnapshot(self.backbone) if self.weight_reg > 0 else None

    # --- weight regulariser -------------------------------------------------------------------------------
    def start_weights_ready(self) -> None:
        """Snapshot the backbone the first time training runs (after ``init_weights`` / ``load_from``)."""
        if self.backbone_pre is not None and self.training and not bool(self.backbone_pre.captured):
            self.backbone_pre.capture(self.backbone)

    def wreg_losses(self) -> Dict[str, torch.Tensor]:
        """``{'loss_wreg': λ‖Φ−Φ_pre‖²}``, or an empty dict when the regulariser is off."""
        if self.backbone_pre is None:
            return {}
        return dict(loss_wreg=weight_regularisation(self.backbone, self.backbone_pre, self.weight_reg))

    # --- affine -------------------------------------------------------------------------------------------
    def affine_views(self, views: Sequence[torch.Tensor]) -> Tuple[List[torch.Tensor], List[Optional[torch.Tensor]]]:
        """Apply the differentiable affine to every view (training only); returns views and matrices (or None)."""
        if self.affine is None or not self.training:
            return list(views), [None] * len(views)
        outs, mats = [], []
        for view in views:
            out, mat = self.affine(view)
            outs.append(out)
            mats.append(mat)
        return outs, mats

    # --- target networks ----------------------------------------------------------------------------------
    def ema_modules(self) -> List[BaseAveragedModel]:
        """The averaged (target) networks of the model."""
        return [m for m in self.children() if isinstance(m, BaseAveragedModel)]

    def set_teacher_weight(self, teacher_weight: float) -> None:
        """Set the target nets' momentum for the next update, given as the **teacher's** weight τ (paper
        convention: 0.99 → 1). Stored in MMEngine's convention, ``momentum = 1 - τ``.

        For mmpretrain's ``CosineEMA`` both ``momentum`` and ``end_momentum`` are set, so its own cosine formula
        returns exactly ``1 - τ`` and the schedule is the caller's (:class:`MomentumScheduleHook`).
        """
        if not 0. <= teacher_weight <= 1.:
            raise ValueError(f'teacher weight must be in [0, 1], got {teacher_weight}')
        for ema in self.ema_modules():
            ema.momentum = 1. - teacher_weight
            if hasattr(ema, 'end_momentum'):
                ema.end_momentum = 1. - teacher_weight
