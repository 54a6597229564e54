"""Semi-supervised image classification on mmpretrain's ``ImageClassifier``, with the parts the segmentor uses.

:class:`SemiBaseClassifier` is the classification twin of
:class:`~densessl.models.segmentors.SemiBaseSegmentor` (mmdet's ``SemiBaseDetector`` design): a student and a
teacher built from one classifier config, multi-branch batches (``sup``, ``unsup_teacher``, ``unsup_student``)
split by :class:`~densessl.models.ssl.MultiBranchDataPreprocessor`, losses named ``sup_*`` / ``unsup_*``, the
teacher updated by :class:`~densessl.engine.hooks.MeanTeacherHook` (EMA; for FixMatch it is the EMA *evaluation*
model) and predicting at test time (``semi_test_cfg.predict_on``), a plain classifier checkpoint loading into
both networks, and :class:`~densessl.engine.runner.TeacherStudentValLoop` reporting both.

Pseudo-labels, confidence masks (fixed :math:`\\tau` or FlexMatch's class-wise thresholds) and consistency
losses are the shared components of :mod:`densessl.models.ssl` (class axis ``dim=1``: the classifier's
``(N, C)`` logits go through the same code as the segmentor's ``(N, C, H, W)``).

The base class alone trains the student on the labeled branch only (the supervised-only baseline, with an EMA
evaluation model); each algorithm overrides :meth:`SemiBaseClassifier.loss_unsup`. A training step::

    x_sup, y_sup  (+ unlabeled views)  --one student forward over all of them (shared BN statistics)-->
    sup:   CE(student(x_sup), y_sup) x sup_weight                             -> sup_loss, sup_accuracy
    unsup: algorithm-specific (FixMatch, PL, VAT, MT, S4L ...) x unsup_weight x ramp(iteration) -> unsup_loss_*
    logs:  unsup_mask_ratio (share of pseudo-labels used), unsup_pl_acc (their accuracy, when the unlabeled
           samples happen to carry labels: a diagnostic only, never used by a loss)
"""
import copy
import math
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModel
from torch import Tensor

from densessl.registry import MODELS

__all__ = ['SemiBaseClassifier', 'DEFAULT_SEMI_TRAIN_CFG', 'ramp_weight', 'gt_labels']

BRANCHES = ('sup', 'unsup_teacher', 'unsup_student')

#: every key :class:`SemiBaseClassifier` reads from ``semi_train_cfg`` and its default (subclasses add theirs)
DEFAULT_SEMI_TRAIN_CFG = dict(
    sup_weight=1.0,  # factor on the supervised loss
    unsup_weight=1.0,  # factor lambda_u on the unsupervised loss
    rampup_iters=0,  # unsup_weight grows from 0 to its value over these iterations (0: constant)
    rampup='linear',  # 'linear' or 'sigmoid' (exp(-5 (1 - t)^2), Laine & Aila / Mean Teacher)
    joint_forward=True,  # one student forward over labeled + unlabeled images (shared BN statistics)
    freeze_teacher=True,  # teacher without gradients, in eval mode
)


def ramp_weight(step: int, rampup_iters: int, kind: str = 'linear') -> float:
    """Ramp-up factor in ``[0, 1]`` at iteration ``step``.

    Args:
        step (int): iterations done.
        rampup_iters (int): length of the ramp; ``<= 0`` means no ramp (factor 1).
        kind (str): ``'linear'`` (``t``) or ``'sigmoid'`` (``exp(-5 (1 - t)^2)``), ``t = min(step / len, 1)``.

    Examples:
        >>> ramp_weight(5, 10), ramp_weight(20, 10), ramp_weight(0, 0)
        (0.5, 1.0, 1.0)
    """
    if rampup_iters <= 0:
        return 1.0
    t = min(max(step, 0) / rampup_iters, 1.0)
    if kind == 'linear':
        return t
    if kind == 'sigmoid':
        return math.exp(-5.0 * (1.0 - t)**2)
    raise ValueError(f"rampup must be 'linear' or 'sigmoid', got {kind!r}")


def gt_labels(data_samples: Optional[Sequence], device=None) -> Optional[Tensor]:
    """The ``gt_label`` of every sample as a ``(N,)`` long tensor, or ``None`` if any sample has none."""
    if not data_samples:
        return None
    labels = []
    for s in data_samples:
        lb = s.get('gt_label', None) if hasattr(s, 'get') else None
        if lb is None or lb.numel() != 1:
            return None
        labels.append(lb.view(-1))
    return torch.cat(labels).long().to(device)


def _sample_indices(data_samples: Optional[Sequence], device=None) -> Optional[Tensor]:
    if not data_samples:
        return None
    idx = [s.metainfo.get('sample_idx') for s in data_samples]
    if any(i is None for i in idx):
        return None
    return torch.as_tensor(idx, dtype=torch.long, device=device)


def _rename(prefix: str, losses: dict) -> dict:
    return {prefix + k: v for k, v in losses.items()}


@MODELS.register_module()
class SemiBaseClassifier(BaseModel):
    """Student and EMA teacher from one mmpretrain classifier config; supervised loss on the labeled branch.

    Args:
        classifier (dict): config of an mmpretrain classifier, e.g. ``dict(type='mmpretrain.ImageClassifier',
            backbone=..., neck=..., head=..., data_preprocessor=...)``. Use ``mmpretrain.`` type prefixes inside
            it (``mmpretrain.ResNet_CIFAR``, ``mmpretrain.LinearClsHead``, ``mmpretrain.CrossEntropyLoss``): under
            the ``densessl`` scope a bare name may resolve to mmseg's class of the same name.
        semi_train_cfg (dict, optional): overrides of :attr:`default_semi_train_cfg` (see
            :data:`DEFAULT_SEMI_TRAIN_CFG` and each algorithm). Component configs of the same ``type`` are
            updated key by key.
        semi_test_cfg (dict, optional): ``predict_on``: ``'teacher'`` (default: the EMA model) or ``'student'``;
            ``attach_features`` (bool): predictions carry the pooled features as ``feat``.
        data_preprocessor (dict, optional): defaults to a ``MultiBranchDataPreprocessor`` wrapping the
            classifier's own ``data_preprocessor``.
        init_cfg (dict, optional): initialisation config.

    Raises:
        ValueError: unknown ``semi_train_cfg`` keys, bad ``predict_on``, no data preprocessor.
    """

    #: class defaults of ``semi_train_cfg``; subclasses extend it
    default_semi_train_cfg: dict = DEFAULT_SEMI_TRAIN_CFG

    def __init__(self,
                 classifier: dict,
                 semi_train_cfg: Optional[dict] = None,
                 semi_test_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        classifier = copy.deepcopy(dict(classifier))
        if data_preprocessor is None:
            if classifier.get('data_preprocessor') is None:
                raise ValueError(f'{type(self).__name__}: give data_preprocessor or a classifier config with one')
            data_preprocessor = dict(type='MultiBranchDataPreprocessor',
                                     data_preprocessor=copy.deepcopy(classifier['data_preprocessor']))
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.student = MODELS.build(classifier)
        self.teacher = MODELS.build(classifier)
        loss_module = getattr(getattr(self.student, 'head', None), 'loss_module', None)
        if loss_module is not None and type(loss_module).__module__.startswith('mmseg.'):
            raise ValueError(f'{type(self).__name__}: the classifier head\'s loss resolved to mmseg\'s '
                             f'{type(loss_module).__name__} (a bare type name under the densessl scope); write '
                             "loss=dict(type='mmpretrain.CrossEntropyLoss') in the head config")
        self.semi_train_cfg = self._merge_train_cfg(semi_train_cfg)
        test_cfg = dict(predict_on='teacher')
        test_cfg.update(dict(semi_test_cfg or {}))
        if test_cfg['predict_on'] not in ('teacher', 'student'):
            raise ValueError(f"semi_test_cfg.predict_on must be 'teacher' or 'student', got {test_cfg['predict_on']!r}")
        self.semi_test_cfg = test_cfg
        ramp_weight(0, 1, self.semi_train_cfg['rampup'])  # validates the ramp kind
        # training iterations taken: saved with the weights, so ramps continue correctly after a resume
        self.register_buffer('ssl_iter', torch.zeros((), dtype=torch.long))
        if self.semi_train_cfg['freeze_teacher']:
            self.freeze(self.teacher)

    # ------------------------------------------------------------------ configuration
    def _merge_train_cfg(self, semi_train_cfg: Optional[dict]) -> dict:
        cfg = copy.deepcopy(dict(self.default_semi_train_cfg))
        user = copy.deepcopy(dict(semi_train_cfg or {}))
        unknown = sorted(set(user) - set(cfg))
        if unknown:
            raise ValueError(f'{type(self).__name__}: unknown semi_train_cfg key(s) {unknown}; known keys: '
                             f'{sorted(cfg)}')
        for key, value in user.items():
            if isinstance(value, dict) and isinstance(cfg.get(key), dict) and not value.get('_delete_') and \
                    value.get('type', cfg[key].get('type')) == cfg[key].get('type'):
                cfg[key] = {**cfg[key], **value}
            else:
                cfg[key] = value
                if isinstance(value, dict):
                    cfg[key].pop('_delete_', None)
        return cfg

    @staticmethod
    def freeze(model: nn.Module) -> None:
        """No gradients and eval mode for ``model``."""
        model.eval()
        for param in model.parameters():
            param.requires_grad = False

    def train(self, mode: bool = True) -> 'SemiBaseClassifier':
        """Set the training mode; a frozen teacher stays in eval mode."""
        super().train(mode)
        if self.semi_train_cfg['freeze_teacher']:
            self.teacher.eval()
        return self

    @property
    def _predictor(self) -> nn.Module:
        return self.teacher if self.semi_test_cfg.get('predict_on', 'teacher') == 'teacher' else self.student

    @property
    def num_classes(self) -> int:
        """Number of classes of the student's head."""
        return int(self.student.head.num_classes)

    def unsup_factor(self) -> float:
        """``unsup_weight`` times the ramp-up factor at the current iteration."""
        cfg = self.semi_train_cfg
        return cfg['unsup_weight'] * ramp_weight(int(self.ssl_iter), cfg['rampup_iters'], cfg['rampup'])

    # ------------------------------------------------------------------ forward helpers
    def features(self, model: nn.Module, inputs: Tensor) -> Tensor:
        """Pooled features ``(N, D)`` of ``model`` (the head's input)."""
        feats = model.extract_feat(inputs)
        return model.head.pre_logits(feats) if hasattr(model.head, 'pre_logits') else feats[-1]

    def head_logits(self, model: nn.Module, feats: Tensor) -> Tensor:
        """Logits ``(N, C)`` of ``model``'s head from pooled features."""
        head = model.head
        fc = getattr(head, 'fc', None)
        if fc is None:
            raise AttributeError(f'{type(head).__name__} has no fc layer; use LinearClsHead or override head_logits')
        return fc(feats)

    def forward_student(self, *inputs: Tensor, with_feats: bool = False) -> Union[List[Tensor], List[Tuple]]:
        """Student logits of several input batches, in one forward when ``joint_forward`` (shared BN statistics,
        as the FixMatch reference), else one forward per batch.

        Returns:
            list[Tensor] | list[tuple[Tensor, Tensor]]: the logits of each batch, or ``(logits, feats)`` pairs
            with ``with_feats=True``.
        """
        if self.semi_train_cfg['joint_forward'] and len(inputs) > 1:
            feats = self.features(self.student, torch.cat(inputs))
            sizes = [x.shape[0] for x in inputs]
            feats_list = list(feats.split(sizes))
        else:
            feats_list = [self.features(self.student, x) for x in inputs]
        outs = [self.head_logits(self.student, f) for f in feats_list]
        if with_feats:
            return list(zip(outs, feats_list))
        return outs

    @torch.no_grad()
    def teacher_logits(self, inputs: Tensor) -> Tensor:
        """Teacher logits ``(N, C)`` (no gradient)."""
        return self.head_logits(self.teacher, self.features(self.teacher, inputs))

    def sup_loss(self, logits: Tensor, data_samples: Sequence) -> dict:
        """The classifier head's own supervised loss (and accuracy if ``cal_acc``), as ``sup_*``."""
        losses = self.student.head._get_loss(logits, data_samples)
        w = self.semi_train_cfg['sup_weight']
        return _rename('sup_', {k: (v * w if 'loss' in k else v) for k, v in losses.items()})

    def pseudo_label_log(self, labels: Tensor, mask: Tensor, data_samples: Optional[Sequence]) -> dict:
        """``unsup_pl_acc``: accuracy of the used pseudo-labels against the labels the unlabeled samples may carry
        (a diagnostic; empty when they carry none)."""
        truth = gt_labels(data_samples, labels.device)
        if truth is None or truth.shape != labels.shape:
            return {}
        used = mask.bool()
        acc = (labels[used] == truth[used]).float().mean() if used.any() else labels.new_zeros((), dtype=torch.float)
        return dict(unsup_pl_acc=acc.detach(), unsup_all_acc=(labels == truth).float().mean().detach())

    # ------------------------------------------------------------------ training
    def forward(self, inputs, data_samples=None, mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._predictor(inputs, mode='tensor')
        raise RuntimeError(f'Invalid mode "{mode}"; use "loss", "predict" or "tensor"')

    #: unlabeled branches an algorithm needs (the base class needs none)
    required_unsup_branches: Tuple[str, ...] = ()

    def loss(self, multi_batch_inputs: Dict[str, Tensor], multi_batch_data_samples: Dict[str, list]) -> dict:
        """Losses of a multi-branch batch: ``sup_*`` and the algorithm's ``unsup_*``.

        Raises:
            ValueError: the batch is not multi-branch, or lacks the labeled branch or a branch the algorithm
                needs.
        """
        if not isinstance(multi_batch_inputs, dict):
            raise ValueError(f'{type(self).__name__} trains on multi-branch batches: end the training pipelines '
                             'with MultiBranch and use MultiBranchDataPreprocessor')
        needed = ('sup', ) + tuple(self.required_unsup_branches)
        missing = [b for b in needed if b not in multi_batch_inputs]
        if missing:
            raise ValueError(f'{type(self).__name__}: this training batch has no {missing} samples (branches '
                             f'present: {sorted(multi_batch_inputs)}); check the MultiBranch pipelines and the '
                             'MultiSourceSampler source_ratio')
        losses = self.loss_semi(multi_batch_inputs, multi_batch_data_samples)
        self.ssl_iter += 1
        return losses

    def loss_semi(self, inputs: Dict[str, Tensor], data_samples: Dict[str, list]) -> dict:
        """Supervised loss only (the supervised baseline); algorithms override this or :meth:`loss_unsup`."""
        logits, = self.forward_student(inputs['sup'])
        return self.sup_loss(logits, data_samples['sup'])

    # ------------------------------------------------------------------ inference
    def predict(self, inputs: Tensor, data_samples: Optional[list] = None) -> list:
        """Predictions of the teacher (default) or the student; with ``semi_test_cfg.attach_features`` each
        sample also carries the pooled features as ``feat`` (for
        :class:`~densessl.evaluation.clustering.ClusteringAccuracy` and t-SNE)."""
        model = self._predictor
        if not self.semi_test_cfg.get('attach_features', False):
            return model.predict(inputs, data_samples)
        feats = model.extract_feat(inputs)
        samples = model.head.predict(feats, data_samples)
        for sample, feat in zip(samples, model.head.pre_logits(feats)):
            sample.set_field(feat.detach(), 'feat')
        return samples

    def extract_feat(self, inputs: Tensor, stage: str = 'neck'):
        """Features of the predicting network (mmpretrain's ``extract_feat``)."""
        return self._predictor.extract_feat(inputs, stage=stage)

    # ------------------------------------------------------------------ checkpoints
    def _load_from_state_dict(self, state_dict: dict, prefix: str, local_metadata: dict, strict: bool,
                              missing_keys, unexpected_keys, error_msgs) -> None:
        """Load a plain classifier checkpoint into both networks: when no key under ``prefix`` starts with
        ``student.`` / ``teacher.``, each ``<key>`` is copied to ``student.<key>`` and ``teacher.<key>``."""
        own = [k for k in state_dict if k.startswith(prefix)]
        rel = [k[len(prefix):] for k in own]
        if own and not any(r.startswith(('student.', 'teacher.')) for r in rel):
            for key, r in zip(own, rel):
                if r == 'ssl_iter' or r.startswith('data_preprocessor.'):
                    continue
                value = state_dict.pop(key)
                state_dict[f'{prefix}student.{r}'] = value
                state_dict[f'{prefix}teacher.{r}'] = value
            state_dict.setdefault(prefix + 'ssl_iter', self.ssl_iter.detach().clone())
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                      error_msgs)
