"""Exponential moving average of the student into the teacher after each training iteration.

**Momentum convention.** MMEngine and mmdet call *momentum* the weight of the **student** in the update::

    teacher = (1 - momentum) * teacher + momentum * student          # MMEngine / mmdet, momentum=0.001

The Mean Teacher, CutMix, ClassMix and PixPro papers write the weight of the **teacher** (``alpha`` = 0.99 or
0.999)::

    teacher = teacher_momentum * teacher + (1 - teacher_momentum) * student

:class:`MeanTeacherHook` accepts exactly one of the two spellings: ``momentum=0.001`` (student share, MMEngine)
or ``teacher_momentum=0.999`` (teacher weight, papers) mean the same update.
"""
import warnings
from typing import Optional

import torch
import torch.nn as nn
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from densessl.registry import HOOKS

__all__ = ['MeanTeacherHook', 'ema_update']

_BUFFER_MODES = ('ema', 'copy', 'skip')
_HOOK_BUFFER_MODES = ('auto', ) + _BUFFER_MODES


@torch.no_grad()
def ema_update(teacher: nn.Module, student: nn.Module, momentum: float, buffers: str = 'ema') -> None:
    r"""``teacher = (1 - momentum) * teacher + momentum * student``, parameter by parameter (in place).

    Args:
        teacher (nn.Module): updated network.
        student (nn.Module): source network of the same structure.
        momentum (float): the **student's** share in :math:`[0, 1]` (MMEngine convention); 1 copies.
        buffers (str): floating-point buffers (BN running statistics) are averaged (``'ema'``), copied from
            the student (``'copy'``, as MMEngine's ``ExponentialMovingAverage``) or left alone (``'skip'``, as
            mmdet's default); integer buffers (``num_batches_tracked``) are copied unless ``'skip'``.

    Raises:
        ValueError: the two networks do not have the same parameter / buffer names and shapes.
    """
    if buffers not in _BUFFER_MODES:
        raise ValueError(f'buffers must be one of {_BUFFER_MODES}, got {buffers!r}')
    s_params, t_params = dict(student.named_parameters()), dict(teacher.named_parameters())
    if s_params.keys() != t_params.keys():
        raise ValueError('teacher and student differ in their parameters: '
                         f'{sorted(set(s_params) ^ set(t_params))[:5]}')
    for name, t in t_params.items():
        if t.shape != s_params[name].shape:
            raise ValueError(f'parameter {name}: teacher {tuple(t.shape)} vs student {tuple(s_params[name].shape)}')
    names = list(t_params)
    # one fused update of every parameter: t += momentum * (s - t)
    torch._foreach_lerp_([t_params[n].data for n in names], [s_params[n].data for n in names], momentum)
    if buffers == 'skip':
        return
    s_bufs, t_bufs = dict(student.named_buffers()), dict(teacher.named_buffers())
    for name, t in t_bufs.items():
        if name not in s_bufs:
            continue
        s = s_bufs[name]
        if buffers == 'ema' and t.dtype.is_floating_point:
            t.data.mul_(1 - momentum).add_(s.data, alpha=momentum)
        else:
            t.data.copy_(s.data)


@HOOKS.register_module()
class MeanTeacherHook(Hook):
    """Update ``model.teacher`` as an exponential moving average of ``model.student``.

    Give **one** of ``momentum`` (MMEngine / mmdet: the student's share, default 0.001) and
    ``teacher_momentum`` (the papers' EMA decay, the teacher's weight, e.g. 0.99): ``momentum=0.001`` and
    ``teacher_momentum=0.999`` are the same update. At the first iteration of a fresh run the teacher is set to a
    copy of the student (so both start from the same initialisation or checkpoint); a resumed run keeps the
    teacher of its checkpoint.

    Args:
        momentum (float, optional): the student's share of each update, in (0, 1).
        teacher_momentum (float, optional): the teacher's weight of each update, in (0, 1).
        interval (int): update every ``interval`` iterations. Defaults to 1.
        buffers (str): ``'auto'`` (default), ``'ema'``, ``'copy'`` or ``'skip'``; see :func:`ema_update`.
            ``'auto'`` follows the model's ``teacher_bn_stats``: ``'skip'`` when the teacher keeps BN statistics of
            its own weights (``'self'``, the default of the densessl models: its forward passes on clean views
            update them), ``'ema'`` otherwise. With ``'ema'`` the teacher's statistics are the average of the
            student's, which do not fit the averaged weights while those move fast (from scratch: 17.8 vs 24.1
            mIoU on the demo, issue 10); with ``'skip'`` and a teacher that never runs, they stay at their
            initial values.
        warmup (bool): use the student share ``max(momentum, 1 / k)`` at the ``k``-th update, ``k = 1, 2, ...``
            (Mean Teacher's and ClassMix's ``min(1 - 1 / (step + 1), alpha)``), so the teacher is the plain
            average of the students seen so far while ``k`` is small.
            Defaults to False.
        skip_buffer (bool, optional): mmdet's spelling; ``True`` means ``buffers='skip'``.

    Raises:
        ValueError: both or neither-valid spellings, a value outside (0, 1), a bad ``interval`` / ``buffers``.
    """

    priority = 'NORMAL'

    def __init__(self,
                 momentum: Optional[float] = None,
                 teacher_momentum: Optional[float] = None,
                 interval: int = 1,
                 buffers: str = 'auto',
                 warmup: bool = False,
                 skip_buffer: Optional[bool] = None) -> None:
        if momentum is not None and teacher_momentum is not None:
            raise ValueError('MeanTeacherHook: give momentum (the student\'s share, MMEngine convention) OR '
                             f'teacher_momentum (the teacher\'s weight, papers), not both (got {momentum} and '
                             f'{teacher_momentum})')
        if teacher_momentum is not None:
            if not 0.0 < teacher_momentum < 1.0:
                raise ValueError(f'MeanTeacherHook: teacher_momentum must be in (0, 1), got {teacher_momentum}')
            momentum = 1.0 - teacher_momentum
        elif momentum is None:
            momentum = 0.001
        if not 0.0 < momentum < 1.0:
            raise ValueError(f'MeanTeacherHook: momentum must be in (0, 1), got {momentum}')
        if momentum > 0.5 and teacher_momentum is None:
            warnings.warn(f'MeanTeacherHook(momentum={momentum}): momentum is the STUDENT\'s share of each update '
                          f'(MMEngine convention), so the teacher keeps only {1 - momentum:.3g} of itself. For '
                          f'the papers\' EMA decay {momentum} write teacher_momentum={momentum}.')
        if not isinstance(interval, int) or interval < 1:
            raise ValueError(f'MeanTeacherHook: interval must be a positive integer, got {interval!r}')
        if skip_buffer is not None:
            buffers = 'skip' if skip_buffer else buffers
        if buffers not in _HOOK_BUFFER_MODES:
            raise ValueError(f'MeanTeacherHook: buffers must be one of {_HOOK_BUFFER_MODES}, got {buffers!r}')
        self.momentum = float(momentum)
        self.interval = interval
        self.buffers = buffers
        self.warmup = warmup

    @property
    def teacher_momentum(self) -> float:
        """The teacher's weight of each update (``1 - momentum``)."""
        return 1.0 - self.momentum

    @staticmethod
    def _unwrap(runner) -> nn.Module:
        model = runner.model
        if is_model_wrapper(model):
            model = model.module
        if not (hasattr(model, 'teacher') and hasattr(model, 'student')):
            raise AttributeError(f'MeanTeacherHook needs a model with .teacher and .student (e.g. '
                                 f'SemiBaseSegmentor), got {type(model).__name__}')
        if model.teacher is None:
            raise AttributeError(f'MeanTeacherHook: this {type(model).__name__} has no teacher (its pseudo-labels and '
                                 "predictions come from the student): drop the hook, or set semi_test_cfg.predict_on="
                                 "'teacher' for an EMA evaluation model")
        return model

    def before_train(self, runner) -> None:
        """Copy the student into the teacher at the start of a fresh run."""
        model = self._unwrap(runner)
        if runner.iter == 0:
            ema_update(model.teacher, model.student, 1.0, buffers='copy')

    def student_share(self, num_updates: int) -> float:
        """The student's share of the ``num_updates``-th update (1-based)."""
        if self.warmup:
            return max(self.momentum, 1.0 / max(num_updates, 1))
        return self.momentum

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        """EMA update every ``interval`` iterations."""
        if (runner.iter + 1) % self.interval != 0:
            return
        model = self._unwrap(runner)
        num_updates = (runner.iter + 1) // self.interval
        ema_update(model.teacher, model.student, self.student_share(num_updates), self.buffer_mode(model))

    def buffer_mode(self, model: nn.Module) -> str:
        """The buffer mode of the update: ``buffers``, with ``'auto'`` resolved from ``model.teacher_bn_stats``."""
        if self.buffers != 'auto':
            return self.buffers
        return 'skip' if getattr(model, 'teacher_bn_stats', 'ema') == 'self' else 'ema'
