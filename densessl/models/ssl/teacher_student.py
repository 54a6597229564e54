"""The teacher-student plumbing shared by :class:`~densessl.models.segmentors.SemiBaseSegmentor` and
:class:`~densessl.models.classifiers.SemiBaseClassifier` (mmdet's ``SemiBaseDetector``, for any task model)::

    task model config ──build twice──> student (trained)      teacher (no gradients, eval mode; not built when
                                                              neither the pseudo-labels nor the predictions use it)
    semi_train_cfg    = class defaults (a subclass's paper values) updated by the config's keys
                        (merge_train_cfg): a config states only where it departs from the paper
    training step     : with step_rng():  losses = algorithm(...)       # draws seeded by (seed, step, rank)
                        step counter += 1                               # buffer ssl_rng = [seed, step]
    teacher BN stats  : 'self' -> each teacher forward in training normalises with the batch and updates the
                                  teacher's own running statistics (clean views only); MeanTeacherHook then
                                  averages the parameters and leaves those statistics alone
                        'ema'  -> MeanTeacherHook averages the student's running statistics into the teacher
    inference         : semi_test_cfg.predict_on = 'teacher' | 'student'
    checkpoints       : a plain task-model checkpoint loads into both networks

Why ``'self'`` is the default: the EMA of the student's running statistics is not the statistics of the EMA of its
weights. From scratch, where the weights move fast, a CutMix teacher tested with its averaged statistics scored
17.8 mIoU on the demo at iteration 500, and 24.1 with statistics recomputed for its own weights (issue 10).
"""
import copy
from contextlib import contextmanager, nullcontext
from typing import Iterable, Iterator, List, Optional, Union

import torch
import torch.nn as nn
from mmengine.dist import get_rank
from torch import Tensor

from densessl.registry import MODELS
from .norm import bn_batch_stats

__all__ = ['TeacherStudentMixin', 'TEACHER_STUDENT_CFG', 'merge_semi_cfg', 'rename_loss_dict',
           'reweight_loss_dict', 'step_seed', 'default_data_preprocessor']

#: the ``semi_train_cfg`` keys every teacher-student model reads, and their defaults
TEACHER_STUDENT_CFG = dict(
    sup_weight=1.0,  # factor on every supervised loss term
    unsup_weight=1.0,  # factor on every unsupervised loss term
    freeze_teacher=True,  # teacher without gradients and in eval mode (dropout off)
    # 'self': the teacher's running BN statistics come from its own forward passes on clean views; 'ema': from the
    # EMA of the student's (MeanTeacherHook(buffers='ema'))
    teacher_bn_stats='self',
    seed=None,  # base seed of the per-step random draws; None: drawn at construction
)

_TEACHER_BN_MODES = ('self', 'ema')


def reweight_loss_dict(losses: dict, weight: float) -> dict:
    """Multiply every entry whose name contains ``'loss'`` by ``weight`` (other entries are logs).

    Examples:
        >>> reweight_loss_dict({'loss_ce': 2.0, 'acc': 0.5}, 0.5)
        {'loss_ce': 1.0, 'acc': 0.5}
    """
    return {k: (v * weight if 'loss' in k else v) for k, v in losses.items()}


def rename_loss_dict(prefix: str, losses: dict) -> dict:
    """Prefix every key of ``losses``.

    Examples:
        >>> rename_loss_dict('sup_', {'loss_ce': 1.0})
        {'sup_loss_ce': 1.0}
    """
    return {prefix + k: v for k, v in losses.items()}


def merge_semi_cfg(defaults: dict, user: Optional[dict], owner: str = 'model') -> dict:
    """``defaults`` updated by ``user``; component configs (dicts with a ``type``) of the same type are updated key by
    key, so ``dict(confidence=dict(threshold=0.9))`` keeps the default's other keys; a component of another ``type``
    or with ``_delete_=True`` replaces the default's.

    MMEngine's config merge (``Config._merge_a_into_b``, ``ConfigDict.merge``) cannot serve: it merges a component of
    another ``type`` key by key into the default (handing the default class's arguments to the new one), refuses a
    dict where the default is ``None`` (``mix=None``, ``feature_perturbation=None``) and adds unknown keys silently.

    Args:
        defaults (dict): every known key with its default.
        user (dict, optional): the config's ``semi_train_cfg``.
        owner (str): class name used in the error message.

    Raises:
        ValueError: ``user`` has a key that ``defaults`` lacks (the message lists the known keys).

    Examples:
        >>> merge_semi_cfg(dict(a=1, m=dict(type='T', x=1, y=2)), dict(m=dict(x=3)))
        {'a': 1, 'm': {'type': 'T', 'x': 3, 'y': 2}}
    """
    cfg = copy.deepcopy(dict(defaults))
    user = copy.deepcopy(dict(user or {}))
    unknown = sorted(set(user) - set(cfg))
    if unknown:
        raise ValueError(f'{owner}: unknown semi_train_cfg key(s) {unknown}; known keys: {sorted(cfg)}')
    for key, value in user.items():
        if isinstance(value, dict) and isinstance(cfg.get(key), dict) and not value.get('_delete_') and \
                value.get('type', cfg[key].get('type')) == cfg[key].get('type'):
            cfg[key] = {**cfg[key], **value}
        else:
            cfg[key] = value
            if isinstance(value, dict):
                cfg[key].pop('_delete_', None)
    return cfg


def step_seed(seed: int, step: int, rank: int) -> int:
    """A fixed 64-bit mix of ``(seed, step, rank)``: independent random streams per step and per process.

    Examples:
        >>> step_seed(0, 1, 0) == step_seed(0, 1, 0), step_seed(0, 1, 0) == step_seed(0, 2, 0)
        (True, False)
    """
    x = (seed * 6364136223846793005 + step * 1442695040888963407 + rank * 2654435761 + 1) % (1 << 64)
    x ^= x >> 29
    return x % (1 << 63)


def default_data_preprocessor(model_cfg: dict, owner: str) -> dict:
    """A :class:`~densessl.models.ssl.MultiBranchDataPreprocessor` wrapping the task model's own preprocessor.

    Raises:
        ValueError: the task model config has no ``data_preprocessor``.
    """
    if model_cfg.get('data_preprocessor') is None:
        raise ValueError(f'{owner}: give data_preprocessor or a task model config with one')
    return dict(type='MultiBranchDataPreprocessor', data_preprocessor=copy.deepcopy(model_cfg['data_preprocessor']))


class TeacherStudentMixin:
    """Student, teacher and their bookkeeping; mixed into a ``BaseModel`` subclass, which calls
    :meth:`_init_teacher_student` after ``BaseModel.__init__``.

    Attributes:
        student, teacher (nn.Module): two builds of the task model config.
        semi_train_cfg (dict): :attr:`default_semi_train_cfg` updated by the config.
        semi_test_cfg (dict): ``predict_on`` and the task's other test keys.
        ssl_rng (Tensor): buffer ``[base seed, training steps taken]``, saved with the weights so that a resumed
            run repeats the random draws of an uninterrupted one.
    """

    #: class defaults of ``semi_train_cfg``; subclasses extend them with their papers' values
    default_semi_train_cfg: dict = TEACHER_STUDENT_CFG
    #: class defaults of ``semi_test_cfg``
    default_semi_test_cfg: dict = dict(predict_on='teacher')
    #: state-dict entries of the wrapper itself (not copied into student / teacher from a plain checkpoint)
    _own_state_keys = ('ssl_rng', )

    def _init_teacher_student(self, model_cfg: dict, semi_train_cfg: Optional[dict],
                              semi_test_cfg: Optional[dict]) -> None:
        self.semi_train_cfg = self.merge_train_cfg(semi_train_cfg)
        self.semi_test_cfg = self.merge_test_cfg(semi_test_cfg)
        self.student = MODELS.build(model_cfg)
        # a teacher nobody uses (FixMatch, UniMatch: pseudo-labels and predictions from the student) is not built
        self.teacher = MODELS.build(model_cfg) if self.uses_teacher() else None
        seed = self.semi_train_cfg['seed']
        seed = int(torch.randint(0, 2**31 - 1, ())) if seed is None else int(seed)
        self.register_buffer('ssl_rng', torch.tensor([seed, 0], dtype=torch.long))
        self._teacher_forwarded = False
        if self.semi_train_cfg['freeze_teacher'] and self.teacher is not None:
            self.freeze(self.teacher)

    # ------------------------------------------------------------------ configuration
    @classmethod
    def merge_train_cfg(cls, semi_train_cfg: Optional[dict] = None) -> dict:
        """The ``semi_train_cfg`` a model of this class runs with: :attr:`default_semi_train_cfg` (the method's
        paper values) updated by the config's entries (:func:`merge_semi_cfg`), checked.

        Raises:
            ValueError: an unknown key or a bad ``teacher_bn_stats``.
        """
        cfg = merge_semi_cfg(cls.default_semi_train_cfg, semi_train_cfg, cls.__name__)
        if cfg['teacher_bn_stats'] not in _TEACHER_BN_MODES:
            raise ValueError(f'semi_train_cfg.teacher_bn_stats must be one of {_TEACHER_BN_MODES}, got '
                             f"{cfg['teacher_bn_stats']!r}")
        return cfg

    @classmethod
    def merge_test_cfg(cls, semi_test_cfg: Optional[dict] = None) -> dict:
        """The ``semi_test_cfg`` a model of this class runs with: :attr:`default_semi_test_cfg` updated by the
        config's entries.

        Raises:
            ValueError: ``predict_on`` is neither ``'teacher'`` nor ``'student'``.
        """
        cfg = dict(cls.default_semi_test_cfg)
        cfg.update(dict(semi_test_cfg or {}))
        if cfg['predict_on'] not in ('teacher', 'student'):
            raise ValueError(f"semi_test_cfg.predict_on must be 'teacher' or 'student', got {cfg['predict_on']!r}")
        return cfg

    @staticmethod
    def freeze(model: nn.Module) -> None:
        """No gradients and eval mode for ``model``."""
        model.eval()
        for param in model.parameters():
            param.requires_grad = False

    def train(self, mode: bool = True):
        """Set the training mode; a frozen teacher stays in eval mode (the runner calls ``train()`` every
        iteration)."""
        super().train(mode)
        if self.semi_train_cfg['freeze_teacher'] and self.teacher is not None:
            self.teacher.eval()
        return self

    @property
    def _predictor(self) -> nn.Module:
        return self.teacher if self.semi_test_cfg.get('predict_on', 'teacher') == 'teacher' else self.student

    @property
    def teacher_bn_stats(self) -> str:
        """``'self'`` or ``'ema'``: where the teacher's BN running statistics come from (read by
        :class:`~densessl.engine.hooks.MeanTeacherHook`)."""
        return self.semi_train_cfg['teacher_bn_stats']

    def uses_teacher(self) -> bool:
        """Whether the teacher matters: it predicts at test time (subclasses add: it makes the pseudo-labels)."""
        return self.semi_test_cfg.get('predict_on', 'teacher') == 'teacher'

    # ------------------------------------------------------------------ randomness and steps
    @property
    def ssl_step(self) -> int:
        """Training steps taken (the number of ``loss`` calls)."""
        return int(self.ssl_rng[1])

    @contextmanager
    def step_context(self, device: torch.device) -> Iterator[None]:
        """One training step: the global torch generator (of ``device``) is seeded with ``(seed, step, rank)``
        inside and restored after; the step counter advances on exit."""
        seed = step_seed(int(self.ssl_rng[0]), int(self.ssl_rng[1]), get_rank())
        if device.type == 'cpu':
            fork = torch.random.fork_rng(devices=[])
        else:
            index = device.index if device.index is not None else torch.get_device_module(device.type).current_device()
            fork = torch.random.fork_rng(devices=[index], device_type=device.type)
        self._teacher_forwarded = False
        with fork:
            torch.manual_seed(seed)
            yield
        self.ssl_rng[1] += 1

    # ------------------------------------------------------------------ the teacher's forward passes
    @contextmanager
    def teacher_context(self) -> Iterator[None]:
        """The context of a teacher forward in training: no gradients, and with ``teacher_bn_stats='self'`` its BN
        layers normalise with the batch and update the teacher's own running statistics."""
        self._teacher_forwarded = True
        own_stats = self.teacher_bn_stats == 'self' and self.training
        with torch.no_grad(), bn_batch_stats(self.teacher) if own_stats else nullcontext():
            yield

    def calibrate_teacher(self, inputs: Iterable[Tensor]) -> None:
        """With ``teacher_bn_stats='self'``, a teacher in use that has not run in this step runs on the clean
        ``inputs`` (no gradient), so that its running statistics follow its weights."""
        if self.teacher_bn_stats != 'self' or self._teacher_forwarded or not self.uses_teacher() or \
                not self.training:
            return
        with self.teacher_context():
            for x in inputs:
                self.teacher_forward_for_stats(x)

    def teacher_forward_for_stats(self, inputs: Tensor) -> None:
        """One teacher forward whose output is not needed (the task base overrides it)."""
        self.teacher(inputs, mode='tensor')

    # ------------------------------------------------------------------ checkpoints
    def _load_from_state_dict(self, state_dict: dict, prefix: str, local_metadata: dict, strict: bool,
                              missing_keys: Union[List[str], str], unexpected_keys: Union[List[str], str],
                              error_msgs: Union[List[str], str]) -> None:
        """Load a plain task-model checkpoint into both networks: when no key under ``prefix`` starts with
        ``student.`` or ``teacher.``, each key is copied to ``student.<key>`` and ``teacher.<key>`` (the wrapper's
        own entries and the data preprocessor's excepted)."""
        own = [k for k in state_dict if k.startswith(prefix)]
        rel = [k[len(prefix):] for k in own]
        if own and not any(r.startswith(('student.', 'teacher.')) for r in rel):
            for key, r in zip(own, rel):
                if r in self._own_state_keys or r.startswith('data_preprocessor.'):
                    continue
                value = state_dict.pop(key)
                state_dict[f'{prefix}student.{r}'] = value
                if self.teacher is not None:
                    state_dict[f'{prefix}teacher.{r}'] = value
            # a plain checkpoint has no step counter: keep ours rather than report it missing
            state_dict.setdefault(prefix + 'ssl_rng', self.ssl_rng.detach().clone())
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                      error_msgs)

