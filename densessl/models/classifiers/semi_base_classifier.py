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

from densessl.models.ssl.teacher_student import (TEACHER_STUDENT_CFG, TeacherStudentMixin, default_data_preprocessor,
                                                 rename_loss_dict, reweight_loss_dict)
from densessl.registry import MODELS

__all__ = ['SemiBaseClassifier', 'SEMI_CLS_TRAIN_CFG', 'ramp_weight', 'gt_labels']

#: every key :class:`SemiBaseClassifier` reads from ``semi_train_cfg`` and its default (with
#: :data:`~densessl.models.ssl.teacher_student.TEACHER_STUDENT_CFG`; algorithms add theirs)
SEMI_CLS_TRAIN_CFG = dict(
    TEACHER_STUDENT_CFG,
    rampup_iters=0,  # unsup_weight grows from 0 to its value over these iterations (0: constant)
    rampup='linear',  # 'linear' or 'sigmoid' (exp(-5 (1 - t)^2), Laine & Aila / Mean Teacher)
    joint_forward=True,  # one student forward over labeled + unlabeled images (shared BN statistics)
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


@MODELS.register_module()
class SemiBaseClassifier(TeacherStudentMixin, BaseModel):
    """Student and EMA teacher from one mmpretrain classifier config; supervised loss on the labeled branch.

    Args:
        classifier (dict): config of an mmpretrain classifier, e.g. ``dict(type='mmpretrain.ImageClassifier',
            backbone=..., neck=..., head=..., data_preprocessor=...)``. Use ``mmpretrain.`` type prefixes inside
            it (``mmpretrain.ResNet_CIFAR``, ``mmpretrain.LinearClsHead``, ``mmpretrain.CrossEntropyLoss``): under
            the ``densessl`` scope a bare name may resolve to mmseg's class of the same name.
        semi_train_cfg (dict, optional): overrides of :attr:`default_semi_train_cfg` (see
            :data:`SEMI_CLS_TRAIN_CFG` and each algorithm). Component configs of the same ``type`` are
            updated key by key.
        semi_test_cfg (dict, optional): ``predict_on``: ``'teacher'`` (default: the EMA model) or ``'student'``;
            ``attach_features`` (bool): predictions carry the pooled features as ``feat``.
        data_preprocessor (dict, optional): defaults to a ``MultiBranchDataPreprocessor`` wrapping the
            classifier's own ``data_preprocessor``.
        init_cfg (dict, optional): initialisation config.

    The teacher-student plumbing (config merge, frozen teacher, BN statistics of the teacher's own weights, the
    per-step seeded random draws, plain checkpoints loading into both networks) is
    :class:`~densessl.models.ssl.TeacherStudentMixin`, shared with the segmentors.

    Raises:
        ValueError: unknown ``semi_train_cfg`` keys, bad ``predict_on``, no data preprocessor.
    """

    #: class defaults of ``semi_train_cfg``; subclasses extend it
    default_semi_train_cfg: dict = SEMI_CLS_TRAIN_CFG

    def __init__(self,
                 classifier: dict,
                 semi_train_cfg: Optional[dict] = None,
                 semi_test_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        classifier = copy.deepcopy(dict(classifier))
        if data_preprocessor is None:
            data_preprocessor = default_data_preprocessor(classifier, type(self).__name__)
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self._init_teacher_student(classifier, semi_train_cfg, semi_test_cfg)
        loss_module = getattr(getattr(self.student, 'head', None), 'loss_module', None)
        if loss_module is not None and type(loss_module).__module__.startswith('mmseg.'):
            raise ValueError(f'{type(self).__name__}: the classifier head\'s loss resolved to mmseg\'s '
                             f'{type(loss_module).__name__} (a bare type name under the densessl scope); write '
                             "loss=dict(type='mmpretrain.CrossEntropyLoss') in the head config")
        ramp_weight(0, 1, self.semi_train_cfg['rampup'])  # validates the ramp kind

    @property
    def ssl_iter(self) -> Tensor:
        """Training iterations taken, as a 0-d view of the step counter (ramps read it; a resumed run continues)."""
        return self.ssl_rng[1]

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

    def teacher_logits(self, inputs: Tensor) -> Tensor:
        """Teacher logits ``(N, C)`` (no gradient; with ``teacher_bn_stats='self'`` its BN layers use the batch and
        keep running statistics of its own weights)."""
        with self.teacher_context():
            return self.head_logits(self.teacher, self.features(self.teacher, inputs))

    def sup_loss(self, logits: Tensor, data_samples: Sequence) -> dict:
        """The classifier head's own supervised loss (and accuracy if ``cal_acc``), as ``sup_*``."""
        losses = self.student.head._get_loss(logits, data_samples)
        w = self.semi_train_cfg['sup_weight']
        return rename_loss_dict('sup_', reweight_loss_dict(losses, w))

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
        with self.step_context(multi_batch_inputs['sup'].device):
            losses = self.loss_semi(multi_batch_inputs, multi_batch_data_samples)
            self.calibrate_teacher([multi_batch_inputs['sup']])
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
