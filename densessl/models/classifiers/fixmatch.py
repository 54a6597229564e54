"""FixMatch (Sohn et al. 2020) and FlexMatch (Zhang et al. 2021) on :class:`SemiBaseClassifier`.

A training step, with the shared components of :mod:`densessl.models.ssl`::

    logits_sup, logits_weak, logits_strong = student([x_sup, weak(u), strong(u)])   # one forward
    sup   = CE(logits_sup, y)
    pl    = PseudoLabeler(logits_weak.detach())                 # argmax labels + max-probability confidence
    w     = ConfidenceMask(pl.confidence)                       # 1[conf >= tau], tau = 0.95
            (FlexMatchMask: class-wise thresholds from each class's learning effect, per unlabeled sample)
    unsup = ConsistencyLoss('ce')(logits_strong, pl.labels, weight=w)   # mean over all mu*B unlabeled samples
    loss  = sup + lambda_u * unsup                              # lambda_u = 1

The EMA of the student (``MeanTeacherHook``, decay 0.999) is the evaluation model (``predict_on='teacher'``);
pseudo-labels come from the student itself, as in the paper (``pseudo_label_from='student'``).
"""
import copy
from typing import Dict

from torch import Tensor

from densessl.registry import MODELS
from .semi_base_classifier import SEMI_CLS_TRAIN_CFG, SemiBaseClassifier, _sample_indices

__all__ = ['FixMatch', 'FlexMatch']


@MODELS.register_module()
class FixMatch(SemiBaseClassifier):
    """FixMatch: pseudo-labels from weak views, thresholded, train the strong views.

    ``semi_train_cfg`` keys (besides :data:`~densessl.models.classifiers.semi_base_classifier.SEMI_CLS_TRAIN_CFG`):

    - ``threshold`` (float, optional): shortcut for ``confidence.threshold`` (0.95).
    - ``pseudo_label`` (dict): :class:`~densessl.models.ssl.PseudoLabeler` config (``mode='hard'``; ``'soft'`` /
      ``'sharpen'`` with ``unsup_loss=dict(loss_type='ce')`` trains on distributions, as UDA).
    - ``confidence`` (dict): :class:`~densessl.models.ssl.ConfidenceMask` (``threshold=0.95, mode='pixel'``) or
      :class:`~densessl.models.ssl.FlexMatchMask` (needs ``num_classes`` and ``num_samples``, the size of the
      unlabeled set; the batch's ``sample_idx`` are its indices).
    - ``unsup_loss`` (dict): :class:`~densessl.models.ssl.ConsistencyLoss` (``'ce'``, mean over the batch).
    - ``pseudo_label_from`` (str): ``'student'`` (the paper) or ``'teacher'`` (the EMA model).

    Losses: ``sup_loss``, ``unsup_loss``; logs: ``unsup_mask_ratio`` and, when the unlabeled samples carry
    labels, ``unsup_pl_acc`` / ``unsup_all_acc``.
    """

    default_semi_train_cfg = dict(
        SEMI_CLS_TRAIN_CFG,
        threshold=None,
        pseudo_label=dict(type='PseudoLabeler', mode='hard'),
        confidence=dict(type='ConfidenceMask', threshold=0.95, mode='pixel'),
        unsup_loss=dict(type='ConsistencyLoss', loss_type='ce', reduction='mean'),
        pseudo_label_from='student',
    )
    required_unsup_branches = ('unsup_teacher', 'unsup_student')

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cfg = self.semi_train_cfg
        if cfg['pseudo_label_from'] not in ('student', 'teacher'):
            raise ValueError(f"semi_train_cfg.pseudo_label_from must be 'student' or 'teacher', got "
                             f"{cfg['pseudo_label_from']!r}")
        conf_cfg = copy.deepcopy(cfg['confidence'])
        if cfg['threshold'] is not None:
            conf_cfg['threshold'] = cfg['threshold']
        if conf_cfg.get('type') == 'FlexMatchMask':
            conf_cfg.setdefault('num_classes', self.num_classes)
        self.pseudo_labeler = MODELS.build(cfg['pseudo_label'])
        self.confidence_mask = MODELS.build(conf_cfg)
        self.unsup_loss = MODELS.build(cfg['unsup_loss'])

    def loss_semi(self, inputs: Dict[str, Tensor], data_samples: Dict[str, list]) -> dict:
        x_sup, weak, strong = inputs['sup'], inputs['unsup_teacher'], inputs['unsup_student']
        if self.semi_train_cfg['pseudo_label_from'] == 'student':
            logits_sup, logits_weak, logits_strong = self.forward_student(x_sup, weak, strong)
        else:
            logits_sup, logits_strong = self.forward_student(x_sup, strong)
            logits_weak = self.teacher_logits(weak)
        losses = self.sup_loss(logits_sup, data_samples['sup'])
        losses.update(self.loss_unsup(logits_weak, logits_strong, data_samples.get('unsup_teacher')))
        return losses

    def loss_unsup(self, logits_weak: Tensor, logits_strong: Tensor, samples_weak=None) -> dict:
        """Thresholded pseudo-label loss of the strong view's logits (class axis ``dim=1``)."""
        pl = self.pseudo_labeler(logits_weak.detach())
        conf = self.confidence_mask(pl.confidence, pl.labels,
                                    indices=_sample_indices(samples_weak, logits_weak.device))
        target = pl.probs if getattr(self.unsup_loss, 'needs_soft_target', False) or \
            self.pseudo_labeler.mode != 'hard' else pl.labels
        loss = self.unsup_loss(logits_strong, target, weight=conf.weight)
        out = dict(unsup_loss=loss * self.unsup_factor(), unsup_mask_ratio=conf.ratio.detach())
        out.update(self.pseudo_label_log(pl.labels, conf.mask, samples_weak))
        return out


@MODELS.register_module()
class FlexMatch(FixMatch):
    """FixMatch with FlexMatch's class-wise flexible thresholds (curriculum pseudo-labelling).

    The confidence component defaults to :class:`~densessl.models.ssl.FlexMatchMask` (``memory='sample'``,
    convex mapping, threshold warm-up); ``semi_train_cfg.confidence.num_samples`` must be the number of
    unlabeled samples.
    """

    default_semi_train_cfg = dict(
        FixMatch.default_semi_train_cfg,
        confidence=dict(type='FlexMatchMask', threshold=0.95, memory='sample', mapping='convex', warmup=True))
