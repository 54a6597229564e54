"""Semi-supervised segmentation on any mmseg segmentor, as a template (mmdet's ``SemiBaseDetector``, dense).

A training step of :class:`SemiBaseSegmentor`; every step is a method a subclass may override, every number sits
in ``semi_train_cfg``::

    loss_by_gt          student(x_sup) -> the segmentor's own losses with the masks       -> sup_* (x sup_weight)
    get_pseudo_labels   weak view -> EMA teacher | the student itself (no gradient)        -> labels, confidence,
                        (pseudo_label_from)                                                   probs, valid
    for each strong view k (strong_branches; the student sees them all in one forward):
        mix             mask M_k (CutMix boxes | ClassMix classes | none), partners i -> i + k + 1
                        student input = mix(strong_k); targets = mix(labels, confidence, validity)
        loss_by_pseudo_labels  ConfidenceMask -> weights; ConsistencyLoss(student logits, targets)
                                                          -> unsup_loss_cons | unsup_loss_s{k+1} (x strong_weights[k])
    feature perturbation (feature_perturbation, UniMatch): encoder(weak) -> dropout -> decoder
        loss_by_pseudo_labels(perturbed logits, unmixed targets)                         -> unsup_loss_fp (x fp_weight)
    every unsupervised term also x unsup_weight; log: unsup_pixel_ratio (confident share of the valid pixels)

The student's passes on the strong / perturbed views normalise with the batch but leave the BN running statistics
alone (``unsup_bn_stats='frozen'``). The teacher follows the student through
:class:`~densessl.engine.hooks.MeanTeacherHook` (EMA), keeps BN statistics of its own weights
(``teacher_bn_stats='self'``, see :mod:`densessl.models.ssl.teacher_student`) and predicts at test time
(``semi_test_cfg.predict_on``). CutMix, ClassMix, FixMatch and UniMatch are this template with their papers' values as
defaults (``default_semi_train_cfg``); a config states only where it departs from them.
"""
import copy
from contextlib import nullcontext
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.config import ConfigDict
from mmseg.models.segmentors import BaseSegmentor
from mmseg.models.utils import resize
from mmseg.utils import ConfigType, OptConfigType, OptMultiConfig, SampleList
from torch import Tensor

from densessl.models.ssl import frozen_bn_stats, mix_batch, partner_permutation
from densessl.models.ssl.teacher_student import (TEACHER_STUDENT_CFG, TeacherStudentMixin, default_data_preprocessor,
                                                 rename_loss_dict, reweight_loss_dict)
from densessl.registry import MODELS

__all__ = ['SemiBaseSegmentor', 'SEMI_SEG_TRAIN_CFG']

#: every key :class:`SemiBaseSegmentor` reads from ``semi_train_cfg`` and its default (with
#: :data:`~densessl.models.ssl.teacher_student.TEACHER_STUDENT_CFG`: sup/unsup weights, teacher BN, seed)
SEMI_SEG_TRAIN_CFG = dict(
    TEACHER_STUDENT_CFG,
    threshold=None,  # shortcut for confidence.threshold
    pseudo_label=dict(type='PseudoLabeler', mode='hard'),
    pseudo_label_from='teacher',  # 'teacher' (the EMA teacher) | 'student' (the student itself, detached)
    confidence=dict(type='ConfidenceMask', threshold=0.95, mode='pixel'),
    unsup_loss=dict(type='ConsistencyLoss', loss_type='ce'),
    mix=None,  # None | 'cutmix' | 'classmix' | a mask component config (CutMixMask / ClassMixMask)
    partner='roll',  # mixing partners: 'roll' (view k mixes i with i + k + 1) or 'random'
    weak_branch='unsup_teacher',  # the branch pseudo-labels are made on
    strong_branches=('unsup_student', ),  # the branches the student learns from, each mixed on its own
    strong_weights=None,  # a factor per strong branch (None: 1 each)
    feature_perturbation=None,  # None | e.g. dict(type='FeatureDropout', p=0.5): the fp stream on the weak view
    fp_weight=1.0,  # factor on the fp stream's loss
    # 'frozen': the student's passes on strong / perturbed views leave the BN running statistics alone, so an
    # eval-mode network normalises clean images with clean statistics; 'update': they update them too
    unsup_bn_stats='frozen',
)

_MIX_SHORTCUTS = {'cutmix': dict(type='CutMixMask'), 'classmix': dict(type='ClassMixMask')}


@MODELS.register_module()
class SemiBaseSegmentor(TeacherStudentMixin, BaseSegmentor):
    """Student and EMA teacher built from one mmseg segmentor config, trained on labeled and unlabeled batches.

    Args:
        segmentor (dict): config of the segmentor (e.g. ``EncoderDecoder`` with a DeepLabV3+ head); the student
            and the teacher are two builds of it. Its ``_forward`` must return the decode head's logits and, with a
            feature perturbation, ``extract_feat`` + ``decode_head.forward`` must give them too (``EncoderDecoder``).
        semi_train_cfg (dict, optional): see :data:`SEMI_SEG_TRAIN_CFG`; unspecified keys keep the class
            defaults (:attr:`default_semi_train_cfg`, which the method subclasses set to their papers').
            ``threshold`` overrides ``confidence.threshold``; ``mix`` is ``None``, ``'cutmix'``, ``'classmix'`` or
            a mask config such as ``dict(type='CutMixMask', area=0.5)``.
        semi_test_cfg (dict, optional): ``predict_on`` (``'teacher'``, the default, or ``'student'``): which
            network predicts, extracts features and runs ``mode='tensor'``.
        data_preprocessor (dict, optional): defaults to a
            :class:`~densessl.models.ssl.MultiBranchDataPreprocessor` wrapping the segmentor's own.
        init_cfg (dict, optional): initialisation config.

    A plain (non-semi) checkpoint of the segmentor loads into both the student and the teacher, so ``load_from``
    may name a supervised run. Random draws of a step (mixing masks, partners, dropout) come from the global
    generator seeded with ``(seed, step, rank)``; the counter is the checkpoint's ``ssl_rng`` buffer, so a resumed
    run repeats the draws of an uninterrupted one, and the global random state is left as it was.

    Raises:
        ValueError: unknown ``semi_train_cfg`` / ``semi_test_cfg`` keys or values; no ``data_preprocessor``.
    """

    #: class defaults of ``semi_train_cfg`` (method subclasses override entries)
    default_semi_train_cfg: dict = SEMI_SEG_TRAIN_CFG

    def __init__(self,
                 segmentor: ConfigType,
                 semi_train_cfg: OptConfigType = None,
                 semi_test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptMultiConfig = None) -> None:
        # ConfigDict all the way down: mmseg reads e.g. test_cfg.mode as attributes
        segmentor = ConfigDict(copy.deepcopy(dict(segmentor)))
        if data_preprocessor is None:
            data_preprocessor = default_data_preprocessor(segmentor, type(self).__name__)
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self._init_teacher_student(segmentor, semi_train_cfg, semi_test_cfg)
        cfg = self.semi_train_cfg
        self.pseudo_labeler = MODELS.build(cfg['pseudo_label'])
        self.confidence_mask = MODELS.build(cfg['confidence'])
        self.unsup_loss = MODELS.build(cfg['unsup_loss'])
        self.mixer = None if cfg['mix'] is None else MODELS.build(cfg['mix'])
        self.feature_perturbation = None if cfg['feature_perturbation'] is None else \
            MODELS.build(cfg['feature_perturbation'])
        decode_head = getattr(self.student, 'decode_head', None)
        self.ignore_index = getattr(decode_head, 'ignore_index', 255)
        self.align_corners = getattr(decode_head, 'align_corners', False)
        if hasattr(self.unsup_loss, 'ignore_index'):
            self.unsup_loss.ignore_index = self.ignore_index
        if hasattr(self.mixer, 'ignore_index'):
            self.mixer.ignore_index = self.ignore_index

    # ------------------------------------------------------------------ configuration
    @classmethod
    def merge_train_cfg(cls, semi_train_cfg: OptConfigType = None) -> dict:
        """:meth:`TeacherStudentMixin.merge_train_cfg` with the shortcuts resolved (``mix='cutmix'``,
        ``threshold``) and the choices checked."""
        cfg = super().merge_train_cfg(semi_train_cfg)
        if isinstance(cfg['mix'], str):
            if cfg['mix'] not in _MIX_SHORTCUTS:
                raise ValueError(f"semi_train_cfg.mix must be None, 'cutmix', 'classmix' or a mask config, "
                                 f"got {cfg['mix']!r}")
            cfg['mix'] = dict(_MIX_SHORTCUTS[cfg['mix']])
        if cfg['threshold'] is not None:
            cfg['confidence'] = {**cfg['confidence'], 'threshold': cfg['threshold']}
        choices = dict(partner=('roll', 'random'), unsup_bn_stats=('frozen', 'update'),
                       pseudo_label_from=('teacher', 'student'))
        for key, allowed in choices.items():
            if cfg[key] not in allowed:
                raise ValueError(f'semi_train_cfg.{key} must be one of {allowed}, got {cfg[key]!r}')
        cfg['strong_branches'] = tuple(cfg['strong_branches'])
        if not cfg['strong_branches'] and cfg['feature_perturbation'] is None:
            raise ValueError('semi_train_cfg: give at least one strong branch or a feature_perturbation')
        weights = cfg['strong_weights']
        cfg['strong_weights'] = (1.0, ) * len(cfg['strong_branches']) if weights is None else tuple(weights)
        if len(cfg['strong_weights']) != len(cfg['strong_branches']):
            raise ValueError(f"semi_train_cfg.strong_weights {cfg['strong_weights']} must give one factor per strong "
                             f"branch {cfg['strong_branches']}")
        return cfg

    @property
    def required_branches(self) -> Tuple[str, ...]:
        """The branches a training batch must hold: ``sup``, the weak one and every strong one."""
        cfg = self.semi_train_cfg
        return ('sup', cfg['weak_branch']) + cfg['strong_branches']

    def uses_teacher(self) -> bool:
        """The teacher predicts at test time or makes the pseudo-labels."""
        return super().uses_teacher() or self.semi_train_cfg['pseudo_label_from'] == 'teacher'

    @property
    def decode_head(self) -> nn.Module:
        """The decode head of the predicting network (for mmseg utilities that look for one)."""
        return self._predictor.decode_head

    # ------------------------------------------------------------------ training (the template)
    def loss(self, multi_batch_inputs: Dict[str, Tensor], multi_batch_data_samples: Dict[str, SampleList]) -> dict:
        """Supervised and unsupervised losses of a multi-branch batch.

        Args:
            multi_batch_inputs (dict[str, Tensor]): images ``(N, 3, H, W)`` of every branch of
                :attr:`required_branches`, normalised; the unlabeled views share their geometry.
            multi_batch_data_samples (dict[str, list[SegDataSample]]): the samples of each branch (masks only in
                ``sup``).

        Returns:
            dict[str, Tensor]: ``sup_*`` (the segmentor's losses and accuracies), the ``unsup_loss_*`` terms and
            ``unsup_pixel_ratio`` (a log entry, not a loss).

        Raises:
            ValueError: a branch is missing from the batch, or the unlabeled views differ in shape.
        """
        if not isinstance(multi_batch_inputs, dict):
            raise ValueError(f'{type(self).__name__} trains on multi-branch batches; end the training pipelines '
                             'with MultiBranch and use MultiBranchDataPreprocessor')
        missing = [b for b in self.required_branches if b not in multi_batch_inputs]
        if missing:
            raise ValueError(f'{type(self).__name__}: this training batch has no {missing} samples (branches '
                             f'present: {sorted(multi_batch_inputs)}): list every branch of {self.required_branches} '
                             "in the MultiBranch pipelines, and use MultiSourceSampler with batch_size equal to the "
                             "dataloader's and a source_ratio giving every source at least one sample per batch")
        weak = multi_batch_inputs[self.semi_train_cfg['weak_branch']]
        for branch in self.semi_train_cfg['strong_branches']:
            if multi_batch_inputs[branch].shape != weak.shape:
                raise ValueError(f"the weak and the '{branch}' views differ in shape ({tuple(weak.shape)} vs "
                                 f'{tuple(multi_batch_inputs[branch].shape)}): geometric transforms must come '
                                 'before MultiBranch')
        with self.step_context(weak.device):
            losses = self.loss_by_gt(multi_batch_inputs['sup'], multi_batch_data_samples['sup'])
            losses.update(self.loss_unsup(multi_batch_inputs, multi_batch_data_samples))
            self.calibrate_teacher([weak])
        return losses

    def loss_by_gt(self, inputs: Tensor, data_samples: SampleList) -> dict:
        """The student's supervised losses, weighted by ``sup_weight`` and prefixed ``sup_``."""
        losses = self.student.loss(inputs, data_samples)
        return rename_loss_dict('sup_', reweight_loss_dict(losses, self.semi_train_cfg['sup_weight']))

    def loss_unsup(self, inputs: Dict[str, Tensor], data_samples: Dict[str, SampleList]) -> dict:
        """The unsupervised terms (see the module docstring): pseudo-labels on the weak view, one loss per strong
        view (mixed), and the feature-perturbation stream."""
        cfg = self.semi_train_cfg
        weak = inputs[cfg['weak_branch']]
        valid = self.valid_mask(weak, data_samples.get(cfg['weak_branch']))
        # the student's encoder features of the weak view, shared by its pseudo-labels and the fp stream
        weak_feats = None
        if self.feature_perturbation is not None:
            weak_feats = self.student.extract_feat(weak)
        targets = self.get_pseudo_labels(weak, valid, weak_feats)
        losses, factor = {}, cfg['unsup_weight']
        views = [self.mix(inputs[b], targets, k) for k, b in enumerate(cfg['strong_branches'])]
        if views:
            logits = self.student_logits(torch.cat([v for v, _ in views])).chunk(len(views))
            for k, ((_, view_targets), view_logits) in enumerate(zip(views, logits)):
                loss, ratio = self.loss_by_pseudo_labels(view_logits, view_targets)
                name = 'unsup_loss_cons' if len(views) == 1 else f'unsup_loss_s{k + 1}'
                losses[name] = loss * (factor * cfg['strong_weights'][k])
                if k == 0:
                    losses['unsup_pixel_ratio'] = ratio
        if self.feature_perturbation is not None:
            fp_logits = self.student_logits(weak, self.feature_perturbation, feats=weak_feats)
            loss, ratio = self.loss_by_pseudo_labels(fp_logits, targets)
            losses['unsup_loss_fp'] = loss * (factor * cfg['fp_weight'])
            losses.setdefault('unsup_pixel_ratio', ratio)
        return losses

    def get_pseudo_labels(self, weak: Tensor, valid: Tensor, student_feats: Optional[List[Tensor]] = None) -> dict:
        """Targets from the weak view, without gradient: the EMA teacher's or the student's own prediction
        (``pseudo_label_from``), through the pseudo-labeler.

        Args:
            weak (Tensor): ``(N, C_in, H, W)`` weak views.
            valid (Tensor): ``(N, H, W)`` bool, the pixels that are not padding.
            student_feats (list[Tensor], optional): the student's encoder features of ``weak`` when already
                computed (the fp stream); reused instead of a second encoder pass.

        Returns:
            dict[str, Tensor]: ``labels`` ``(N, H, W)`` (``ignore_index`` on padding), ``confidence`` ``(N, H, W)``,
            ``valid`` and, for a loss on distributions, ``probs`` ``(N, C, H, W)``.
        """
        if self.semi_train_cfg['pseudo_label_from'] == 'teacher':
            logits = self.teacher_logits(weak)
        else:
            with torch.no_grad():
                if student_feats is None:
                    logits = self._logits(self.student, weak)
                else:
                    logits = self._decode(self.student, student_feats, weak.shape[2:])
        pl = self.pseudo_labeler(logits.detach())
        targets = dict(labels=pl.labels.masked_fill(~valid, self.ignore_index), confidence=pl.confidence, valid=valid)
        if getattr(self.unsup_loss, 'needs_soft_target', False):
            targets['probs'] = pl.probs
        return targets

    def mix(self, view: Tensor, targets: Dict[str, Tensor], index: int = 0) -> Tuple[Tensor, Dict[str, Tensor]]:
        """Mix a strong view and the targets with one mask drawn for the targets' labels; the ``index``-th view
        mixes sample ``i`` with ``i + index + 1`` (``partner='roll'``). Without a mixer both come back unchanged."""
        if self.mixer is None:
            return view, targets
        mask = self.mixer(targets['labels'])
        perm = partner_permutation(view.shape[0], self.semi_train_cfg['partner'], view.device, shift=index + 1)
        return mix_batch(mask, view, perm), {k: mix_batch(mask, v, perm) for k, v in targets.items()}

    def loss_by_pseudo_labels(self, logits: Tensor, targets: Dict[str, Tensor]) -> Tuple[Tensor, Tensor]:
        """The consistency loss of student logits ``(N, C, H, W)`` against (mixed) targets, each pixel weighted by
        the confidence mask; returns the loss and the share of valid pixels used (detached)."""
        conf = self.confidence_mask(targets['confidence'], targets['labels'], targets['valid'])
        target = targets['probs'] if 'probs' in targets else targets['labels']
        loss = self.unsup_loss(logits, target, weight=conf.weight, valid=targets['valid'])
        return loss, conf.ratio.detach()

    # ------------------------------------------------------------------ forward helpers
    @staticmethod
    def valid_mask(inputs: Tensor, data_samples: Optional[SampleList]) -> Tensor:
        """``(N, H, W)`` bool: the pixels of each image that are not padding (from ``img_shape``)."""
        n, _, h, w = inputs.shape
        valid = torch.ones(n, h, w, dtype=torch.bool, device=inputs.device)
        for i, sample in enumerate(data_samples or []):
            img_shape = sample.metainfo.get('img_shape') if hasattr(sample, 'metainfo') else None
            if img_shape is not None:
                ih, iw = int(img_shape[0]), int(img_shape[1])
                valid[i, ih:, :] = False
                valid[i, :, iw:] = False
        return valid

    def _logits(self, model: nn.Module, inputs: Tensor) -> Tensor:
        logits = model._forward(inputs)
        if isinstance(logits, (list, tuple)):
            logits = logits[0]
        return resize(logits, size=inputs.shape[2:], mode='bilinear', align_corners=self.align_corners)

    def _decode(self, model: nn.Module, feats: Sequence[Tensor], size) -> Tensor:
        logits = model.decode_head.forward(feats)
        return resize(logits, size=size, mode='bilinear', align_corners=self.align_corners)

    def teacher_logits(self, inputs: Tensor) -> Tensor:
        """Teacher logits ``(N, C, H, W)`` at input resolution (no gradient; with ``teacher_bn_stats='self'`` its
        BN layers use the batch and keep their running statistics for its own weights)."""
        with self.teacher_context():
            return self._logits(self.teacher, inputs)

    def teacher_forward_for_stats(self, inputs: Tensor) -> None:
        self.teacher._forward(inputs)

    def student_logits(self,
                       inputs: Tensor,
                       feature_perturbation: Optional[nn.Module] = None,
                       feats: Optional[List[Tensor]] = None) -> Tensor:
        """Student logits ``(N, C, H, W)`` on unlabeled views: encoder features -> optional perturbation -> decode
        head. ``feats`` are the encoder features of ``inputs`` when already computed. With
        ``unsup_bn_stats='frozen'`` the BN running statistics are left as the clean passes set them."""
        frozen = self.semi_train_cfg['unsup_bn_stats'] == 'frozen'
        with frozen_bn_stats(self.student) if frozen else nullcontext():
            if feature_perturbation is None and feats is None:
                return self._logits(self.student, inputs)
            if feats is None:
                feats = self.student.extract_feat(inputs)
            if feature_perturbation is not None:
                feats = feature_perturbation(feats)
            return self._decode(self.student, feats, inputs.shape[2:])

    # ------------------------------------------------------------------ inference
    def predict(self, inputs: Tensor, data_samples: Optional[SampleList] = None) -> SampleList:
        """Predictions of the teacher (or the student, with ``semi_test_cfg.predict_on='student'``)."""
        return self._predictor.predict(inputs, data_samples)

    def _forward(self, inputs: Tensor, data_samples: Optional[SampleList] = None):
        return self._predictor._forward(inputs, data_samples)

    def extract_feat(self, inputs: Tensor) -> List[Tensor]:
        return self._predictor.extract_feat(inputs)

    def encode_decode(self, inputs: Tensor, batch_img_metas: List[dict]) -> Tensor:
        return self._predictor.encode_decode(inputs, batch_img_metas)
