"""Mean Teacher (Tarvainen & Valpola 2017): the EMA teacher's prediction on one weak view is the target of the
student's prediction on another.

A training step::

    logits_sup, logits_s = student([x_sup, weak_2(u)])            # one forward
    p_t = softmax(teacher(weak_1(u)))                              # EMA teacher, no gradient
    loss = CE(logits_sup, y) + lambda(t) * MSE(softmax(logits_s), p_t)      # squared error summed over classes

The teacher follows the student through ``MeanTeacherHook`` (decay 0.999 after ramp-up; ``warmup=True`` gives the
paper's ``min(1 - 1/(t+1), alpha)``); ``lambda(t)`` ramps up with the sigmoid schedule ``exp(-5 (1 - t)^2)``.
``ConsistencyLoss('mse')`` sums the squared error over the classes, so the TorchSSL weight 50 (mean over 10
classes) is ``unsup_weight=5`` here.
"""
from typing import Dict

from torch import Tensor

from densessl.registry import MODELS
from .semi_base_classifier import SEMI_CLS_TRAIN_CFG, SemiBaseClassifier

__all__ = ['MeanTeacher']


@MODELS.register_module()
class MeanTeacher(SemiBaseClassifier):
    """Mean Teacher: student softmax vs EMA-teacher softmax on two views of each unlabeled image.

    ``semi_train_cfg`` keys (besides the base keys): ``pseudo_label`` (:class:`~densessl.models.ssl.PseudoLabeler`,
    ``mode='soft'``: the teacher's softmax) and ``unsup_loss`` (:class:`~densessl.models.ssl.ConsistencyLoss`,
    ``'mse'``; ``'kl'`` also works). The teacher reads ``unsup_teacher``, the student ``unsup_student``.
    Defaults: the squared error summed over classes with weight 5 (TorchSSL's 50 averaged over 10 classes), ramped up
    with the sigmoid ``exp(-5 (1 - t)^2)`` (Laine & Aila); the ramp's length (``rampup_iters``, 0: none) is the
    config's, as it depends on the schedule.
    """

    default_semi_train_cfg = dict(
        SEMI_CLS_TRAIN_CFG,
        unsup_weight=5.0,
        rampup='sigmoid',
        pseudo_label=dict(type='PseudoLabeler', mode='soft'),
        unsup_loss=dict(type='ConsistencyLoss', loss_type='mse', reduction='mean'))
    required_unsup_branches = ('unsup_teacher', 'unsup_student')

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.pseudo_labeler = MODELS.build(self.semi_train_cfg['pseudo_label'])
        self.unsup_loss = MODELS.build(self.semi_train_cfg['unsup_loss'])
        if self.pseudo_labeler.mode == 'hard' and getattr(self.unsup_loss, 'needs_soft_target', False):
            raise ValueError("MeanTeacher: a 'mse' / 'kl' consistency needs soft targets (pseudo_label mode 'soft')")

    def loss_semi(self, inputs: Dict[str, Tensor], data_samples: Dict[str, list]) -> dict:
        logits_sup, logits_s = self.forward_student(inputs['sup'], inputs['unsup_student'])
        losses = self.sup_loss(logits_sup, data_samples['sup'])
        pl = self.pseudo_labeler(self.teacher_logits(inputs['unsup_teacher']))
        target = pl.probs if getattr(self.unsup_loss, 'needs_soft_target', False) else pl.labels
        losses['unsup_loss'] = self.unsup_loss(logits_s, target) * self.unsup_factor()
        losses.update(self.pseudo_label_log(pl.labels, pl.labels >= 0, data_samples.get('unsup_teacher')))
        return losses
