"""Cosine momentum schedule of the target (EMA) networks of target-pretraining models."""
import math
from typing import Optional

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from densessl.registry import HOOKS


def cosine_teacher_weight(step: int, total: int, start: float = 0.99, end: float = 1.0) -> float:
    r"""PixPro/BYOL's schedule of the teacher's weight: :math:`\tau_k = e - (e - s)(\cos(\pi k / K) + 1) / 2`.

    Args:
        step: current iteration :math:`k` (0-based).
        total: number of iterations :math:`K`.
        start: :math:`s`, the teacher weight at :math:`k = 0` (0.99 in PixPro and BYOL).
        end: :math:`e`, the teacher weight at :math:`k = K` (1).

    Returns:
        :math:`\tau_k`; the target update is ``target = τ target + (1 - τ) online``.

    Examples:
        >>> cosine_teacher_weight(0, 100), cosine_teacher_weight(50, 100), cosine_teacher_weight(100, 100)
        (0.99, 0.995, 1.0)
    """
    if total <= 0:
        raise ValueError(f'total must be positive, got {total}')
    step = min(max(step, 0), total)
    return end - (end - start) * (math.cos(math.pi * step / total) + 1) / 2


@HOOKS.register_module()
class MomentumScheduleHook(Hook):
    """Set the momentum of the model's target networks before every training iteration (cosine 0.99 → 1).

    **Which number means what.** ``start``/``end`` are the *teacher's* weights τ as written in the PixPro and
    BYOL papers (``target = τ·target + (1 − τ)·online``). MMEngine's ``ExponentialMovingAverage`` and mmpretrain's
    ``CosineEMA`` call ``1 − τ`` their ``momentum`` (the weight of the **new, online** parameters): teacher weight
    0.99 == MMEngine ``momentum=0.01``. This hook writes ``momentum = 1 − τ_k`` into every averaged model of the
    model (for ``CosineEMA`` also ``end_momentum``, so its own cosine returns exactly that value); the model applies
    the update at the start of its next ``loss()`` (before the target forward, as the official PixPro and mmpretrain
    code do), so online weights after step ``k`` enter the target with weight ``1 − τ_{k+1}``.

    The current τ is logged as ``train/teacher_weight``.

    Args:
        start: teacher weight at the first iteration (0.99: PixPro ``--pixpro-momentum``, BYOL ``τ_base``).
        end: teacher weight at the last iteration (1).
    """

    priority = 'NORMAL'

    def __init__(self, start: float = 0.99, end: float = 1.0) -> None:
        for name, value in (('start', start), ('end', end)):
            if not 0. <= value <= 1.:
                raise ValueError(f'MomentumScheduleHook: {name} is a teacher weight in [0, 1], got {value} '
                                 '(note: 0.99 here means MMEngine momentum 0.01)')
        self.start = start
        self.end = end

    @staticmethod
    def _model(runner):
        model = runner.model
        return model.module if is_model_wrapper(model) else model

    def before_train(self, runner) -> None:
        model = self._model(runner)
        if not hasattr(model, 'set_teacher_weight'):
            raise TypeError(f'MomentumScheduleHook: {type(model).__name__} has no set_teacher_weight(); use it with '
                            'a densessl target-pretraining model (PixPro, BYOL, MoCoV2)')

    def before_train_iter(self, runner, batch_idx: int, data_batch: Optional[dict] = None) -> None:
        tau = cosine_teacher_weight(runner.iter, runner.max_iters, self.start, self.end)
        self._model(runner).set_teacher_weight(tau)
        runner.message_hub.update_scalar('train/teacher_weight', tau)
