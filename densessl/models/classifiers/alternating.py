"""Alternating optimisation of Rebuffi et al., "Semi-Supervised Learning with Scarce Annotations" (CVPR-W 2020,
arXiv:1905.08845, Sec. 3.3, seed 000), on :class:`SemiBaseClassifier`: "alternating two phases, one fitting the
labelled points and one fitting the unlabelled ones" -- one loss at a time, never their sum.

The network starts from self-supervised (pretext, e.g. RotNet) weights; its first blocks (stem + ``frozen_stages``
stages) stay frozen at those weights for the whole run. Training runs ``num_rounds`` cycles, all in one run, the
phase being a function of the iteration::

    cycle r = 0 .. num_rounds - 1, each phase1_iters + phase2_iters iterations:
      phase 1:  backbone frozen (no gradient, BN in eval mode); only the linear classifier is refitted on the
                labeled images:                                  loss = CE(fc(f(x_sup)), y)
      refresh (PseudoLabelRefreshHook), phase-2 start:
                p = softmax(student(u)) for every unlabeled u  (the phase-1 network)      -> (N, C)
                pseudo-labels y_u = argmax p, ensemble target z = p
                S_r = a random 2/3 of the unlabeled set, drawn once per cycle (seeded); the last
                      ``full_data_rounds`` cycles use all of it
                student (and EMA teacher) reset to the pretext weights (exact copy), optimiser state cleared
      phase 2:  the unlabeled losses only (no labeled term):
                loss = lambda_u * mean_{u in batch, u in S_r} [ te_weight * KL(z_u || softmax(student(u)))
                                                              + pl_weight * CE(student(u), y_u) ]
      every epoch_iters in phase 2: z <- alpha z + (1 - alpha) p_new  (alpha = 0: the previous epoch's predictions,
                temporal ensembling); the subset stays that of the cycle

``te_weight = pl_weight = 0.5`` as in the paper. The per-sample memories (pseudo-labels, ensemble targets, subset
mask) are persistent buffers indexed by the unlabeled samples' ``sample_idx``, so a resumed run continues exactly;
the pretext weights are kept in a frozen copy of the classifier (``pretext``), taken at the first training step (or
the first refresh), i.e. after ``init_weights`` loaded the pretext backbone.
"""
import contextlib
from typing import Dict, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from densessl.models.ssl import kl_divergence
from densessl.registry import MODELS
from .semi_base_classifier import SemiBaseClassifier, _sample_indices

__all__ = ['AlternatingClassifier', 'random_subset_mask']


def random_subset_mask(num_samples: int, ratio: float, seed: int = 0, epoch: int = 0) -> Tensor:
    """A seeded random subset of ``round(ratio * num_samples)`` samples, different for every ``epoch``.

    Args:
        num_samples (int): ``N``.
        ratio (float): share of the samples kept, in ``(0, 1]``.
        seed (int): seed of the run.
        epoch (int): which reshuffle (the same ``(seed, epoch)`` always gives the same subset).

    Shape:
        - output: :math:`(N,)` bool

    Returns:
        Tensor: ``True`` for the samples of the subset.

    Examples:
        >>> m = random_subset_mask(9, 2 / 3, seed=0, epoch=0)
        >>> int(m.sum()), torch.equal(m, random_subset_mask(9, 2 / 3, 0, 0))
        (6, True)
    """
    if num_samples < 1:
        raise ValueError(f'random_subset_mask: num_samples must be >= 1, got {num_samples}')
    if not 0.0 < ratio <= 1.0:
        raise ValueError(f'random_subset_mask: ratio must be in (0, 1], got {ratio}')
    gen = torch.Generator().manual_seed(int(seed) * 1_000_003 + int(epoch))
    keep = torch.randperm(num_samples, generator=gen)[:round(ratio * num_samples)]
    mask = torch.zeros(num_samples, dtype=torch.bool)
    mask[keep] = True
    return mask


@contextlib.contextmanager
def _eval_mode(*modules: nn.Module):
    """Eval mode for ``modules`` inside the context (batch norm uses and keeps its running statistics)."""
    modes = [(m, m.training) for m in modules if m is not None]
    try:
        for m, _ in modes:
            m.eval()
        yield
    finally:
        for m, mode in modes:
            m.train(mode)


@MODELS.register_module()
class AlternatingClassifier(SemiBaseClassifier):
    """Rebuffi et al.'s alternating optimisation: in every cycle, a linear refit on frozen features and
    pseudo-labels (phase 1), then pseudo-label + temporal-ensembling training from the pretext weights on a 2/3
    subset of the unlabeled data drawn for the cycle (phase 2, unlabeled losses only).

    Needs :class:`~densessl.engine.hooks.PseudoLabelRefreshHook` in ``custom_hooks`` (it predicts the unlabeled
    set when :meth:`refresh_due` says so) and ``sample_idx`` in the unlabeled samples.

    ``semi_train_cfg`` keys (besides the base keys):

    - ``num_samples`` (int, required): ``N``, the size of the unlabeled set.
    - ``phase1_iters`` (int): iterations of the linear refit at the start of every cycle.
    - ``phase2_iters`` (int): iterations of each cycle's phase 2; ``num_rounds`` (int, 1): how many cycles.
    - ``epoch_iters`` (int): iterations of one phase-2 epoch (ensemble targets refreshed after each).
    - ``subset_ratio`` (float, 2/3), ``subset_seed`` (int, 0): the subset of unlabeled samples of a cycle;
      ``full_data_rounds`` (int, 1): the last cycles that use every unlabeled sample.
    - ``te_weight`` (0.5), ``pl_weight`` (0.5): weights of the KL to the ensemble target and of the pseudo-label
      cross-entropy; ``te_alpha`` (0.0): ensemble momentum (0 = the previous epoch's predictions).
    - ``reset_to_pretext`` (True): phase 2 restarts from the pretext weights.
    - ``frozen_stages`` (int, 1): the stem and this many first stages of the backbone stay frozen at the pretext
      weights (mmpretrain/mmseg ``frozen_stages`` semantics; -1: none).

    Losses: ``sup_loss`` (phase 1), ``unsup_loss_te`` and ``unsup_loss_pl`` (phase 2); logs ``unsup_mask_ratio``
    (share of the batch's unlabeled samples in the subset), ``phase``.

    Raises:
        ValueError: ``num_samples`` missing, bad phase lengths / weights, or ``frozen_stages`` on a backbone that
            cannot freeze stages.
    """

    default_semi_train_cfg = dict(
        SemiBaseClassifier.default_semi_train_cfg,
        num_samples=None,
        phase1_iters=1000,
        phase2_iters=10000,
        num_rounds=1,
        epoch_iters=1000,
        subset_ratio=2 / 3,
        subset_seed=0,
        full_data_rounds=1,
        te_weight=0.5,
        pl_weight=0.5,
        te_alpha=0.0,
        reset_to_pretext=True,
        frozen_stages=1)
    required_unsup_branches = ('unsup_teacher', )

    def __init__(self, classifier: dict, *args, **kwargs) -> None:
        super().__init__(classifier, *args, **kwargs)
        cfg = self.semi_train_cfg
        name = type(self).__name__
        n = cfg['num_samples']
        if not isinstance(n, int) or n < 1:
            raise ValueError(f'{name}: semi_train_cfg.num_samples must be the size of the unlabeled set, got {n!r}')
        for key in ('phase2_iters', 'num_rounds', 'epoch_iters'):
            if not isinstance(cfg[key], int) or cfg[key] < 1:
                raise ValueError(f'{name}: semi_train_cfg.{key} must be a positive integer, got {cfg[key]!r}')
        for key in ('phase1_iters', 'full_data_rounds'):
            if not isinstance(cfg[key], int) or cfg[key] < 0:
                raise ValueError(f'{name}: semi_train_cfg.{key} must be an integer >= 0, got {cfg[key]!r}')
        if not 0.0 <= cfg['te_alpha'] < 1.0:
            raise ValueError(f"{name}: semi_train_cfg.te_alpha must be in [0, 1), got {cfg['te_alpha']}")
        random_subset_mask(1, cfg['subset_ratio'])  # validates the ratio
        c = self.num_classes
        self.pretext = MODELS.build(classifier)
        self.freeze(self.pretext)
        self._freeze_first_blocks(cfg['frozen_stages'])
        self.register_buffer('pretext_saved', torch.zeros((), dtype=torch.bool))
        self.register_buffer('pl_probs', torch.zeros(n, c))
        self.register_buffer('te_target', torch.zeros(n, c))
        self.register_buffer('subset_mask', torch.zeros(n, dtype=torch.bool))
        self.register_buffer('refreshed_step', torch.full((), -1, dtype=torch.long))

    def _freeze_first_blocks(self, stages: int) -> None:
        """Keep the stem and the first ``stages`` stages of the student's backbone at the pretext weights (no
        gradient, BN in eval mode, also after ``train()``), with the backbone's own ``frozen_stages``."""
        if stages < 0:
            return
        backbone = self.student.backbone
        if not hasattr(backbone, '_freeze_stages') or not hasattr(backbone, 'frozen_stages'):
            raise ValueError(f'{type(self).__name__}: semi_train_cfg.frozen_stages={stages} needs a backbone with '
                             f'frozen_stages (mmpretrain / mmseg ResNet); {type(backbone).__name__} has none: set '
                             'frozen_stages=-1')
        backbone.frozen_stages = max(stages, backbone.frozen_stages)
        backbone._freeze_stages()

    def train(self, mode: bool = True) -> 'AlternatingClassifier':
        super().train(mode)
        self.pretext.eval()
        return self

    # ------------------------------------------------------------------ schedule
    @property
    def cycle_iters(self) -> int:
        """Iterations of one cycle (phase 1 + phase 2)."""
        return self.semi_train_cfg['phase1_iters'] + self.semi_train_cfg['phase2_iters']

    def _within(self, step: int) -> Tuple[int, int]:
        """``(cycle, iteration within the cycle)``; the last cycle runs on past its end."""
        rnd = min(step // self.cycle_iters, self.semi_train_cfg['num_rounds'] - 1)
        return rnd, step - rnd * self.cycle_iters

    def phase(self, step: int) -> int:
        """1 during the linear refit at the start of every cycle, 2 afterwards."""
        return 1 if self._within(step)[1] < self.semi_train_cfg['phase1_iters'] else 2

    def position(self, step: int) -> Tuple[int, int]:
        """``(cycle, epoch within its phase 2)`` of a phase-2 ``step``."""
        rnd, t = self._within(step)
        t -= self.semi_train_cfg['phase1_iters']
        if t < 0:
            raise ValueError(f'step {step} is in phase 1')
        return rnd, t // self.semi_train_cfg['epoch_iters']

    @property
    def total_iters(self) -> int:
        """Length of the whole schedule (``train_cfg.max_iters`` should equal it)."""
        return self.semi_train_cfg['num_rounds'] * self.cycle_iters

    def refresh_due(self, step: int) -> bool:
        """Whether new predictions of the unlabeled set are needed before training iteration ``step``: at the
        start of every phase 2 (pseudo-labels) and of every phase-2 epoch (ensemble targets)."""
        if step >= self.total_iters or int(self.refreshed_step) == step:
            return False
        t = self._within(step)[1] - self.semi_train_cfg['phase1_iters']
        return t >= 0 and t % self.semi_train_cfg['epoch_iters'] == 0

    def subset_ratio(self, rnd: int) -> float:
        """Share of the unlabeled set used in cycle ``rnd``: ``subset_ratio``, 1 in the last ``full_data_rounds``."""
        cfg = self.semi_train_cfg
        return 1.0 if rnd >= cfg['num_rounds'] - cfg['full_data_rounds'] else cfg['subset_ratio']

    def predictions_network(self) -> nn.Module:
        """The network whose predictions make the pseudo-labels and ensemble targets (the student)."""
        return self.student

    # ------------------------------------------------------------------ pretext weights
    @torch.no_grad()
    def save_pretext(self) -> None:
        """Keep the student's current weights as the pretext weights phase 2 restarts from."""
        self.pretext.load_state_dict(self.student.state_dict())
        self.pretext_saved.fill_(True)

    @torch.no_grad()
    def reset_to_pretext(self) -> None:
        """Student and teacher back to the pretext weights (exact copies, buffers included)."""
        if not bool(self.pretext_saved):
            raise RuntimeError(f'{type(self).__name__}: no pretext weights saved yet')
        state = self.pretext.state_dict()
        self.student.load_state_dict(state)
        self.teacher.load_state_dict(state)

    @torch.no_grad()
    def refresh(self, step: int, probs: Tensor) -> Dict[str, bool]:
        """Take new predictions ``probs`` ``(N, C)`` of the unlabeled set before iteration ``step``.

        At the start of a cycle's phase 2 they become the pseudo-labels and the ensemble target, the cycle's subset
        is drawn and the weights are reset to the pretext weights; within phase 2 they update the ensemble target.

        Returns:
            dict: ``reset`` (bool): whether the weights were reset (the hook then clears the optimiser state).
        """
        cfg = self.semi_train_cfg
        if probs.shape != self.pl_probs.shape:
            raise ValueError(f'{type(self).__name__}.refresh: expected predictions of shape '
                             f'{tuple(self.pl_probs.shape)} (num_samples, num_classes), got {tuple(probs.shape)}')
        if not bool(self.pretext_saved):
            self.save_pretext()
        probs = probs.to(self.pl_probs)
        rnd, epoch = self.position(step)
        start = epoch == 0
        if start:
            self.pl_probs.copy_(probs)
            self.te_target.copy_(probs)
            self.subset_mask.copy_(random_subset_mask(len(probs), self.subset_ratio(rnd), cfg['subset_seed'], rnd))
            if cfg['reset_to_pretext']:
                self.reset_to_pretext()
        else:
            self.te_target.mul_(cfg['te_alpha']).add_(probs, alpha=1.0 - cfg['te_alpha'])
        self.refreshed_step.fill_(step)
        return dict(reset=start and cfg['reset_to_pretext'])

    # ------------------------------------------------------------------ losses
    def loss_semi(self, inputs: Dict[str, Tensor], data_samples: Dict[str, list]) -> dict:
        if not bool(self.pretext_saved):
            self.save_pretext()
        step = int(self.ssl_iter)
        if self.phase(step) == 1:
            # only the linear classifier learns: features without gradient, BN statistics untouched
            with torch.no_grad(), _eval_mode(self.student.backbone, getattr(self.student, 'neck', None)):
                feats = self.features(self.student, inputs['sup'])
            losses = self.sup_loss(self.head_logits(self.student, feats), data_samples['sup'])
            losses['phase'] = torch.ones(())
            return losses
        if int(self.refreshed_step) < 0:
            raise RuntimeError(f'{type(self).__name__}: phase 2 started without pseudo-labels; add '
                               "dict(type='PseudoLabelRefreshHook', dataloader=<the unlabeled set>) to custom_hooks")
        samples_u = data_samples.get('unsup_teacher')
        idx = _sample_indices(samples_u, self.pl_probs.device)
        if idx is None:
            raise ValueError(f'{type(self).__name__}: the unlabeled samples carry no sample_idx')
        # phase 2 fits the unlabeled data only ("one loss at a time"): the labeled images are not forwarded
        logits_u, = self.forward_student(inputs['unsup_teacher'])
        losses = self.loss_unsup(logits_u, idx, samples_u)
        losses['phase'] = torch.full((), 2.0)
        return losses

    def loss_unsup(self, logits_u: Tensor, indices: Tensor, samples_u=None) -> dict:
        """Temporal-ensembling KL and pseudo-label CE of the unlabeled logits ``(B, C)``, averaged over the
        samples of ``indices`` ``(B,)`` that are in the current subset."""
        cfg = self.semi_train_cfg
        selected = self.subset_mask[indices].to(logits_u.dtype)
        count = selected.sum().clamp_min(1.0)
        labels = self.pl_probs[indices].argmax(1)
        kl = kl_divergence(logits_u, self.te_target[indices].to(logits_u.dtype), reduction='none')
        ce = F.cross_entropy(logits_u, labels, reduction='none')
        factor = self.unsup_factor()
        out = dict(unsup_loss_te=(kl * selected).sum() / count * cfg['te_weight'] * factor,
                   unsup_loss_pl=(ce * selected).sum() / count * cfg['pl_weight'] * factor,
                   unsup_mask_ratio=selected.mean().detach())
        out.update(self.pseudo_label_log(labels, selected.bool(), samples_u))
        return out
