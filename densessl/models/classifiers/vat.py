"""Virtual Adversarial Training (Miyato et al. 2018), optionally with entropy minimisation (VAT+EntMin).

The perturbation :math:`r_{adv}` is the direction to which the prediction is most sensitive, found by power
iteration on the KL divergence (:func:`vat_perturbation`)::

    d ~ N(0, I), normalised per sample
    repeat power_iters times:  d <- normalise( grad_d KL( p(x) || p(x + xi d) ) )
    r_adv = eps * d
    loss = CE(logits_sup, y) + lambda_u * ramp(t) * KL( p(x).detach() || p(x + r_adv) ) + entmin_weight * H(p(x))

The entropy term is neither ramped nor scaled by ``lambda_u``: USB's form (semilearn/algorithms/vat/vat.py,
"total_loss = sup_loss + self.lambda_u * unsup_loss * unsup_warmup + self.lambda_ent * loss_entmin", with
``ent_loss_ratio`` 0.06).

Batch-norm running statistics are left untouched by the perturbed forwards (the reference implementations
freeze them), so only clean images shape them. The KL and entropy are the shared consistency losses of
:mod:`densessl.models.ssl` (class axis ``dim=1``).
"""
from contextlib import contextmanager
from typing import Callable, Dict

import torch
import torch.nn as nn
from torch import Tensor

from densessl.models.ssl import entropy, kl_divergence
from densessl.registry import MODELS
from .semi_base_classifier import SemiBaseClassifier

__all__ = ['VAT', 'vat_perturbation', 'l2_normalize', 'frozen_bn_stats']


def l2_normalize(d: Tensor, eps: float = 1e-12) -> Tensor:
    """Scale every sample of ``d`` (all axes but the first) to unit L2 norm."""
    norm = d.flatten(1).norm(dim=1).clamp_min(eps)
    return d / norm.view(-1, *([1] * (d.dim() - 1)))


@contextmanager
def frozen_bn_stats(model: nn.Module):
    """Run forwards without changing the running statistics of ``model``'s batch-norm layers.

    Inside the context every batch-norm layer updates throw-away copies of its running statistics (the batch
    statistics still normalise in training mode); the original tensors are put back, untouched, on exit. They
    are swapped rather than restored in place, so autograd graphs built inside the context stay valid.
    """
    saved = {}
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.track_running_stats and m.running_mean is not None:
            saved[m] = (m.running_mean, m.running_var, m.num_batches_tracked)
            m.running_mean = m.running_mean.clone()
            m.running_var = m.running_var.clone()
            m.num_batches_tracked = m.num_batches_tracked.clone()
    try:
        yield
    finally:
        for m, (mean, var, count) in saved.items():
            m.running_mean, m.running_var, m.num_batches_tracked = mean, var, count


# TODO: move to models/ssl (the DESIGN lists the VAT perturbation as a shared part)
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
