"""Virtual Adversarial Training (Miyato et al. 2018), optionally with entropy minimisation (VAT+EntMin).

The perturbation :math:`r_{adv}` is the direction to which the prediction is most sensitive, found by power
iteration on the KL divergence (:func:`densessl.models.ssl.vat_perturbation`)::

    d ~ N(0, I), normalised per sample
    repeat power_iters times:  d <- normalise( grad_d KL( p(x) || p(x + xi d) ) )
    r_adv = eps * d
    loss = CE(logits_sup, y) + lambda_u * ramp(t) * KL( p(x).detach() || p(x + r_adv) ) + entmin_weight * H(p(x))

The entropy term is neither ramped nor scaled by ``lambda_u``: USB's form (semilearn/algorithms/vat/vat.py,
"total_loss = sup_loss + self.lambda_u * unsup_loss * unsup_warmup + self.lambda_ent * loss_entmin", with
``ent_loss_ratio`` 0.06).

Batch-norm running statistics are left untouched by the perturbed forwards (the reference implementations
freeze them; :func:`densessl.models.ssl.frozen_bn_stats`), so only clean images shape them. The perturbation, the
KL and the entropy are shared parts of :mod:`densessl.models.ssl` (class axis ``dim=1``).
"""
from typing import Dict

import torch
from torch import Tensor

from densessl.models.ssl import entropy, frozen_bn_stats, kl_divergence, vat_perturbation
from densessl.registry import MODELS
from .semi_base_classifier import SemiBaseClassifier

__all__ = ['VAT']


@MODELS.register_module()
class VAT(SemiBaseClassifier):
    """VAT (+ entropy minimisation) on the weak view of unlabeled images.

    ``semi_train_cfg`` keys (besides the base keys): ``xi`` (1e-6), ``eps`` (6.0, in the normalised input
    space), ``power_iters`` (1), ``entmin_weight`` (0: plain VAT; 0.06 for VAT+EntMin as in USB, applied without
    ``unsup_weight`` and without the ramp), ``vat_on_labeled`` (also perturb the labeled images, as Miyato et al.;
    default False).

    Losses: ``sup_loss``, ``unsup_loss`` (the VAT KL), ``unsup_loss_entmin`` (if ``entmin_weight > 0``).
    """

    default_semi_train_cfg = dict(
        SemiBaseClassifier.default_semi_train_cfg, xi=1e-6, eps=6.0, power_iters=1, entmin_weight=0.0,
        vat_on_labeled=False)
    required_unsup_branches = ('unsup_teacher', )

    def _student_logits(self, x: Tensor) -> Tensor:
        return self.head_logits(self.student, self.features(self.student, x))

    def loss_semi(self, inputs: Dict[str, Tensor], data_samples: Dict[str, list]) -> dict:
        cfg = self.semi_train_cfg
        x_sup, x_u = inputs['sup'], inputs['unsup_teacher']
        logits_sup, logits_u = self.forward_student(x_sup, x_u)
        losses = self.sup_loss(logits_sup, data_samples['sup'])
        x_vat, logits_vat = x_u, logits_u
        if cfg['vat_on_labeled']:
            x_vat, logits_vat = torch.cat([x_sup, x_u]), torch.cat([logits_sup, logits_u])
        with frozen_bn_stats(self.student):
            r_adv = vat_perturbation(self._student_logits, x_vat, logits_vat, cfg['xi'], cfg['eps'],
                                     cfg['power_iters'])
            logits_adv = self._student_logits(x_vat + r_adv)
        losses['unsup_loss'] = kl_divergence(logits_adv, torch.softmax(logits_vat.detach(), dim=1)) * \
            self.unsup_factor()
        if cfg['entmin_weight'] > 0:  # USB: lambda_ent * H, no ramp, no lambda_u
            losses['unsup_loss_entmin'] = entropy(logits_u) * cfg['entmin_weight']
        return losses
