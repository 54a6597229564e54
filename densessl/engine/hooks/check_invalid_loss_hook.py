"""Stop training at the first non-finite loss, saying where it happened."""
import math

import torch
from mmengine.hooks import Hook

from densessl.registry import HOOKS


@HOOKS.register_module()
class CheckInvalidLossHook(Hook):
    """Raise as soon as the total loss is NaN or infinite.

    Training on with a NaN loss silently destroys the weights (and the EMA teacher with them), so the run is
    stopped with the iteration and every logged loss term, which usually points at the culprit (e.g. an
    unsupervised term with no confident pixel, a learning rate that is too high, a corrupt batch).

    Args:
        interval (int): check every ``interval`` iterations. Defaults to 1.
    """

    priority = 'VERY_HIGH'

    def __init__(self, interval: int = 1):
        self.interval = interval

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        if outputs is None or not self.every_n_train_iters(runner, self.interval):
            return
        loss = outputs.get('loss')
        if loss is None:
            return
        value = float(loss.detach()) if isinstance(loss, torch.Tensor) else float(loss)
        if not math.isfinite(value):
            terms = {k: (float(v.detach()) if isinstance(v, torch.Tensor) and v.numel() == 1 else v)
                     for k, v in outputs.items()}
            raise FloatingPointError(
                f'loss became {value} at iteration {runner.iter + 1} (work dir {runner.work_dir}); '
                f'loss terms: {terms}. Lower the learning rate or check the data of this batch.')
