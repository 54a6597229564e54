"""AS3L (Wen, Pizarro & Williams, "Active Self-Semi-Supervised Learning for Few Labeled Samples", 2023): FlexMatch
whose pseudo-labels are guided, early in training, by *prior pseudo-labels* propagated from self-supervised
features (:func:`densessl.selection.as3l.propagate_prior`, written by ``tools/as3l_select.py``).

A training step (FlexMatch's, with the prior fused into the weak prediction)::

    p_w   = softmax(student(weak(u)))                                    (N, C), no gradient
    post  = normalise(prior[sample_idx] + p_w)   while iteration < prior_iters (T)
          = p_w                                  afterwards (the prior is dropped)
    labels, confidence = argmax / max of post   -> FlexMatch class-wise thresholds -> CE on strong(u)

The fusion is the shared :class:`~densessl.models.ssl.PseudoLabeler`'s ``prior`` (``fusion='add'``); the prior of
the unlabeled set is an ``(N, C)`` array (``.npy`` or ``.pth``) whose row ``i`` belongs to the unlabeled sample
with ``sample_idx == i``. A row of zeros leaves a sample's prediction unchanged.
"""
import os.path as osp
from typing import Optional

import numpy as np
import torch
from torch import Tensor

from densessl.registry import MODELS
from .fixmatch import FlexMatch
from .semi_base_classifier import _sample_indices

__all__ = ['AS3L', 'load_prior']


def load_prior(path: str) -> Tensor:
    """Read an ``(N, C)`` prior from a ``.npy`` or a ``.pth`` file (a tensor, or a dict with key ``'prior'``).

    Raises:
        FileNotFoundError: no such file.
        ValueError: not a 2-D non-negative array.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'AS3L prior file not found: {path} (write it with tools/as3l_select.py)')
    if path.endswith('.npy'):
        prior = torch.from_numpy(np.load(path))
    else:
        prior = torch.load(path, map_location='cpu', weights_only=False)
        prior = prior['prior'] if isinstance(prior, dict) else prior
    prior = torch.as_tensor(prior, dtype=torch.float32)
    if prior.dim() != 2 or (prior < 0).any():
        raise ValueError(f'{path}: the prior must be a non-negative (N, C) array, got shape {tuple(prior.shape)}')
    return prior


@MODELS.register_module()
class AS3L(FlexMatch):
    """FlexMatch with AS3L's prior pseudo-labels fused into the weak predictions for the first ``T`` iterations.

    ``semi_train_cfg`` keys (besides :class:`FlexMatch`'s):

    - ``prior_file`` (str): the ``(N, C)`` prior of the unlabeled set (``N`` = ``confidence.num_samples``).
    - ``prior_iters`` (int): ``T``; from iteration ``T`` on, the prior is no longer used.

    A prior tensor may also be given directly (``prior=``, e.g. in tests). Logs ``unsup_prior_on`` (1 while the
    prior is fused).

    Raises:
        ValueError: no prior, a prior whose shape does not match ``(num_samples, num_classes)``.
    """

    default_semi_train_cfg = dict(FlexMatch.default_semi_train_cfg, prior_file=None, prior_iters=0)

    def __init__(self, *args, prior: Optional[Tensor] = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cfg = self.semi_train_cfg
        name = type(self).__name__
        if prior is None:
            if cfg['prior_file'] is None:
                raise ValueError(f'{name}: set semi_train_cfg.prior_file (the (N, C) prior of the unlabeled set)')
            prior = load_prior(cfg['prior_file'])
        prior = torch.as_tensor(prior, dtype=torch.float32)
        n = cfg['confidence'].get('num_samples')
        if prior.dim() != 2 or prior.shape[1] != self.num_classes or (n is not None and prior.shape[0] != n):
            raise ValueError(f'{name}: the prior has shape {tuple(prior.shape)}, expected ({n}, {self.num_classes}) '
                             '(unlabeled samples, classes)')
        if (prior < 0).any():
            raise ValueError(f'{name}: the prior must be non-negative')
        if not isinstance(cfg['prior_iters'], int) or cfg['prior_iters'] < 0:
            raise ValueError(f"{name}: semi_train_cfg.prior_iters must be an integer >= 0, got {cfg['prior_iters']!r}")
        # data of the run, not a weight: not saved in checkpoints (reloaded from prior_file)
        self.register_buffer('prior', prior, persistent=False)

    def prior_active(self) -> bool:
        """Whether the prior is fused at the current iteration (``ssl_iter < prior_iters``)."""
        return int(self.ssl_iter) < self.semi_train_cfg['prior_iters']

    def batch_prior(self, samples_weak) -> Optional[Tensor]:
        """The prior rows ``(B, C)`` of the batch's unlabeled samples, or ``None`` after ``T``."""
        if not self.prior_active():
            return None
        idx = _sample_indices(samples_weak, self.prior.device)
        if idx is None:
            raise ValueError(f'{type(self).__name__}: the unlabeled samples carry no sample_idx to look the prior up')
        if idx.max() >= len(self.prior):
            raise ValueError(f'{type(self).__name__}: sample_idx {int(idx.max())} outside the prior of '
                             f'{len(self.prior)} rows')
        return self.prior[idx]

    def loss_unsup(self, logits_weak: Tensor, logits_strong: Tensor, samples_weak=None) -> dict:
        """FlexMatch's loss on the prior-fused pseudo-labels (see the module docstring)."""
        prior = self.batch_prior(samples_weak)
        self.pseudo_labeler.set_prior(prior)
        try:
            out = super().loss_unsup(logits_weak, logits_strong, samples_weak)
        finally:
            self.pseudo_labeler.set_prior(None)
        out['unsup_prior_on'] = torch.tensor(float(prior is not None))
        return out
