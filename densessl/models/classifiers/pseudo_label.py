"""Pseudo-Label (Lee 2013), in its thresholded form (TorchSSL / USB): the student's own confident predictions on
unlabeled images are its targets.

A training step::

    logits_sup, logits_u = student([x_sup, weak(u)])                 # one forward
    pl = PseudoLabeler(logits_u.detach()); w = ConfidenceMask(pl.confidence)     # tau = 0.95
    loss = CE(logits_sup, y) + lambda_u(t) * ConsistencyLoss('ce')(logits_u, pl.labels, weight=w)

``lambda_u(t)`` ramps up linearly (``rampup_iters``), as Lee's :math:`\\alpha(t)`; with ``threshold=0`` every
prediction is used (the original method).
"""
from typing import Dict

from torch import Tensor

from densessl.registry import MODELS
from .fixmatch import FixMatch

__all__ = ['PseudoLabel']


@MODELS.register_module()
class PseudoLabel(FixMatch):
    """Pseudo-Label: thresholded argmax targets on the same (weak) view of each unlabeled image.

    ``semi_train_cfg`` keys as :class:`FixMatch` (``threshold``, ``pseudo_label``, ``confidence``, ``unsup_loss``,
    ``rampup_iters``, ``rampup``); only the ``unsup_teacher`` (weak) branch of unlabeled images is read.
    """

    default_semi_train_cfg = dict(FixMatch.default_semi_train_cfg, rampup='linear')
    required_unsup_branches = ('unsup_teacher', )

    def loss_semi(self, inputs: Dict[str, Tensor], data_samples: Dict[str, list]) -> dict:
        logits_sup, logits_u = self.forward_student(inputs['sup'], inputs['unsup_teacher'])
        losses = self.sup_loss(logits_sup, data_samples['sup'])
        losses.update(self.loss_unsup(logits_u, logits_u, data_samples.get('unsup_teacher')))
        return losses
