"""The first step of S4L's "Mix Of All Models" (MOAM, Zhai et al., "S4L: Self-Supervised Semi-Supervised
Learning", ICCV 2019, Sec. 5): S4L-Rotation trained jointly with VAT and entropy minimisation.

A training step, with MOAM's loss weights (seed 001: w_sup 0.3, w_rot 0.7, w_vat 0.3, w_entmin 0.3)::

    S4L-Rotation:  w_sup * CE on the 4 rotations of x_sup  +  w_rot * CE(rotation_head, rotation labels)
    VAT:           r_adv = vat_perturbation(student, u)      (BN statistics untouched)
                   + w_vat * ramp(t) * KL(p(u).detach() || p(u + r_adv))  +  w_entmin * H(p(u))

``w_sup`` is ``sup_weight``, ``w_rot`` ``rotation_weight`` (never ramped: a self-supervised term),
``w_vat`` ``unsup_weight`` (with the usual ``rampup_iters`` ramp) and ``w_entmin`` ``entmin_weight`` (not ramped,
USB's form of VAT + EntMin). The whole MOAM (this step -> retraining on its pseudo-labels -> finetuning on the
labeled images) is the recipe ``configs/moam/moam_resnet18-cifar_fmnist-40labels.py``.
"""
from typing import Dict

import torch
from torch import Tensor

from densessl.models.ssl import entropy, frozen_bn_stats, kl_divergence, vat_perturbation
from densessl.registry import MODELS
from .s4l import S4LRotation

__all__ = ['S4LRotationVAT', 'MOAM_WEIGHTS']

#: MOAM's loss weights (seed 001, S4L Sec. 5): supervised, rotation, VAT, entropy minimisation
MOAM_WEIGHTS = dict(sup_weight=0.3, rotation_weight=0.7, unsup_weight=0.3, entmin_weight=0.3)


@MODELS.register_module()
class S4LRotationVAT(S4LRotation):
    """S4L-Rotation + VAT + EntMin on the (weak) unlabeled images, with MOAM's weights by default.

    ``semi_train_cfg`` keys: :class:`S4LRotation`'s and :class:`VAT`'s (``xi``, ``eps``, ``power_iters``,
    ``entmin_weight``); the defaults of ``sup_weight``, ``rotation_weight``, ``unsup_weight`` (the VAT weight) and
    ``entmin_weight`` are :data:`MOAM_WEIGHTS`. Losses: ``sup_loss``, ``unsup_loss_rot``, ``unsup_loss_vat``,
    ``unsup_loss_entmin``.
    """

    default_semi_train_cfg = dict(
        S4LRotation.default_semi_train_cfg, xi=1e-6, eps=6.0, power_iters=1, **MOAM_WEIGHTS)

    @property
    def required_unsup_branches(self):
        return ('unsup_teacher', )

    def _student_logits(self, x: Tensor) -> Tensor:
        return self.head_logits(self.student, self.features(self.student, x))

    def loss_semi(self, inputs: Dict[str, Tensor], data_samples: Dict[str, list]) -> dict:
        losses = super().loss_semi(inputs, data_samples)  # w_sup * sup + w_rot * rot (sup_weight in sup_loss)
        cfg = self.semi_train_cfg
        x_u = inputs['unsup_teacher']
        with frozen_bn_stats(self.student):
            logits_u = self._student_logits(x_u)
            r_adv = vat_perturbation(self._student_logits, x_u, logits_u, cfg['xi'], cfg['eps'], cfg['power_iters'])
            logits_adv = self._student_logits(x_u + r_adv)
        losses['unsup_loss_vat'] = kl_divergence(logits_adv, torch.softmax(logits_u.detach(), dim=1)) * \
            self.unsup_factor()
        if cfg['entmin_weight'] > 0:
            losses['unsup_loss_entmin'] = entropy(logits_u) * cfg['entmin_weight']
        return losses
