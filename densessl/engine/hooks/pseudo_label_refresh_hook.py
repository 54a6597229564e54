"""Epoch-level predictions over the whole unlabeled set, handed to the model when it asks for them.

Some algorithms keep one prediction per unlabeled sample between epochs rather than computing targets on the fly:
Rebuffi et al.'s alternating optimisation (pseudo-labels from the end of one phase, temporal-ensembling targets
from the previous epoch, a reshuffled 2/3 subset each epoch), offline pseudo-label retraining (MOAM) and similar.
:class:`PseudoLabelRefreshHook` runs the network over the unlabeled set (a deterministic test-time pipeline)
whenever the model says a refresh is due and gives it the ``(N, C)`` class probabilities, row ``i`` being sample
``i`` of the unlabeled dataset (its ``sample_idx``). The model decides what to do with them (the protocol below);
the hook also clears the optimiser state when the model reset its weights, so SGD momentum from before the reset
does not leak into the restarted training.

Protocol of the model (``get_ori_model(runner.model)``)::

    model.refresh_due(step: int) -> bool          # predictions needed before training iteration `step`?
    model.refresh(step: int, probs: Tensor) -> dict   # probs (N, C); returns e.g. {'reset': True}
    model.predictions_network() -> nn.Module      # (optional) the network to run; default model.student
"""
from typing import Optional

import torch
import torch.nn as nn
from mmengine.dist import all_gather_object, get_world_size
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from torch import Tensor

from densessl.registry import HOOKS

__all__ = ['PseudoLabelRefreshHook', 'predict_probs']


@torch.no_grad()
def predict_probs(network: nn.Module, data_preprocessor: nn.Module, dataloader, num_samples: int,
                  temperature: float = 1.0) -> Tensor:
    """Softmax predictions of ``network`` for every sample of ``dataloader``, in ``sample_idx`` order.

    Args:
        network (nn.Module): an mmpretrain classifier; ``network(inputs, mode='tensor')`` gives logits ``(B, C)``.
        data_preprocessor (nn.Module): the preprocessor of the batches (called with ``training=False``).
        dataloader (Iterable): batches of ``dict(inputs=..., data_samples=...)`` whose samples carry
            ``sample_idx`` in ``[0, num_samples)``. In a distributed run every rank sees a shard; the shards are
            gathered.
        num_samples (int): ``N``, the size of the dataset.
        temperature (float): softmax temperature.

    Shape:
        - output: :math:`(N, C)`, float32 on the CPU

    Returns:
        Tensor: the class probabilities of every sample.

    Raises:
        ValueError: a sample has no ``sample_idx``, an index is out of range, or a sample was never predicted.
    """
    was_training = network.training
    network.eval()
    indices, rows = [], []
    try:
        for batch in dataloader:
            data = data_preprocessor(batch, False)
            logits = network(data['inputs'], mode='tensor')
            if isinstance(logits, (tuple, list)):
                logits = logits[-1]
            idx = [s.metainfo.get('sample_idx') for s in data['data_samples']]
            if any(i is None for i in idx):
                raise ValueError('PseudoLabelRefreshHook: the unlabeled samples carry no sample_idx (pack it in '
                                 'the metainfo: mmpretrain.PackInputs does by default)')
            indices.extend(int(i) for i in idx)
            rows.append(torch.softmax(logits.float() / temperature, dim=1).cpu())
    finally:
        network.train(was_training)
    probs = torch.cat(rows) if rows else torch.zeros(0, 0)
    if get_world_size() > 1:
        parts = all_gather_object((indices, probs))
        indices = [i for part, _ in parts for i in part]
        probs = torch.cat([p for _, p in parts if p.numel()])
    if any(not 0 <= i < num_samples for i in indices):
        raise ValueError(f'PseudoLabelRefreshHook: sample_idx out of range [0, {num_samples}): '
                         f'{sorted(i for i in indices if not 0 <= i < num_samples)[:5]}')
    out = torch.full((num_samples, probs.shape[1]), float('nan'))
    out[torch.as_tensor(indices, dtype=torch.long)] = probs
    missing = torch.isnan(out[:, 0]).nonzero().flatten()
    if len(missing):
        raise ValueError(f'PseudoLabelRefreshHook: {len(missing)} of {num_samples} unlabeled samples were not '
                         f'predicted (first: {missing[:5].tolist()}); the dataloader must cover the dataset')
    return out


@HOOKS.register_module()
class PseudoLabelRefreshHook(Hook):
    """Predict the whole unlabeled set when the model asks for it (pseudo-labels, temporal ensembling).

    Args:
        dataloader (dict | DataLoader): the unlabeled set with a deterministic pipeline (no augmentation beyond
            what a test pipeline does) and ``sampler=dict(type='DefaultSampler', shuffle=False)``. Its samples'
            ``sample_idx`` index the rows of the predictions.
        temperature (float): softmax temperature of the predictions. Defaults to 1.
        reset_optimizer (bool): clear the optimiser state (momentum buffers) when the model reports a weight
            reset. Defaults to True.

    Raises:
        AttributeError: the model does not implement ``refresh_due`` / ``refresh``.
    """

    priority = 'ABOVE_NORMAL'  # before MeanTeacherHook and the logger in the same stage

    def __init__(self, dataloader, temperature: float = 1.0, reset_optimizer: bool = True) -> None:
        if temperature <= 0:
            raise ValueError(f'PseudoLabelRefreshHook: temperature must be > 0, got {temperature}')
        self._loader_cfg = dataloader
        self._loader = None
        self.temperature = temperature
        self.reset_optimizer = reset_optimizer

    @staticmethod
    def _model(runner) -> nn.Module:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        if not (hasattr(model, 'refresh_due') and hasattr(model, 'refresh')):
            raise AttributeError(f'PseudoLabelRefreshHook needs a model with refresh_due(step) and '
                                 f'refresh(step, probs) (e.g. AlternatingClassifier), got {type(model).__name__}')
        return model

    def dataloader(self, runner):
        """The unlabeled dataloader (built on first use)."""
        if self._loader is None:
            cfg = self._loader_cfg
            self._loader = runner.build_dataloader(cfg, seed=runner.seed) if isinstance(cfg, dict) else cfg
        return self._loader

    def before_train(self, runner) -> None:
        self._model(runner)  # fail early on a model without the protocol

    def predict(self, runner, model: Optional[nn.Module] = None) -> Tensor:
        """``(N, C)`` probabilities of the model's prediction network on the unlabeled set."""
        model = model or self._model(runner)
        network = model.predictions_network() if hasattr(model, 'predictions_network') else model.student
        loader = self.dataloader(runner)
        return predict_probs(network, model.data_preprocessor, loader, len(loader.dataset), self.temperature)

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        model = self._model(runner)
        step = runner.iter
        if not model.refresh_due(step):
            return
        out = model.refresh(step, self.predict(runner, model)) or {}
        if out.get('reset') and self.reset_optimizer:
            wrapper = runner.optim_wrapper
            optimizers = wrapper.optim_wrappers.values() if hasattr(wrapper, 'optim_wrappers') else [wrapper]
            for w in optimizers:
                w.optimizer.state.clear()
        runner.logger.info(f'PseudoLabelRefreshHook: refreshed the unlabeled predictions before iteration {step}'
                           + (' and reset the weights' if out.get('reset') else ''))
