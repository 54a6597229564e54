"""Validation of both networks of a teacher-student model (mmdet's ``TeacherStudentValLoop``)."""
from typing import Dict, List, Sequence, Union

from mmengine.evaluator import Evaluator
from mmengine.model import is_model_wrapper
from mmengine.runner import ValLoop
from mmengine.runner.loops import _parse_losses
from torch.utils.data import DataLoader

from densessl.registry import LOOPS

__all__ = ['TeacherStudentValLoop']


@LOOPS.register_module()
class TeacherStudentValLoop(ValLoop):
    """Evaluate the teacher and the student of a semi-supervised model one after the other.

    Metrics are reported as ``teacher/<name>`` and ``student/<name>``, and the metrics of the network that
    predicts by default (``model.semi_test_cfg['predict_on']``, the teacher unless configured otherwise) also
    under their plain names, so ``CheckpointHook(save_best='mIoU')`` and the logs keep working unchanged.

    Args:
        runner (Runner): the runner.
        dataloader (DataLoader | dict): validation dataloader.
        evaluator (Evaluator | dict | list): evaluator.
        fp16 (bool): fp16 validation. Defaults to False.
        predict_on (sequence[str]): networks to evaluate, in order. Defaults to ``('teacher', 'student')``.

    Raises:
        AttributeError: the model has no ``teacher`` / ``student`` / ``semi_test_cfg``.
        ValueError: ``predict_on`` names something other than ``'teacher'`` / ``'student'``.
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 evaluator: Union[Evaluator, Dict, List],
                 fp16: bool = False,
                 predict_on: Sequence[str] = ('teacher', 'student')) -> None:
        super().__init__(runner, dataloader, evaluator, fp16)
        predict_on = list(predict_on)
        bad = [p for p in predict_on if p not in ('teacher', 'student')]
        if bad or not predict_on:
            raise ValueError("TeacherStudentValLoop: predict_on must list 'teacher' and/or 'student', "
                             f'got {predict_on}')
        self.predict_on = predict_on

    def _semi_model(self):
        model = self.runner.model
        if is_model_wrapper(model):
            model = model.module
        if not all(hasattr(model, a) for a in ('teacher', 'student', 'semi_test_cfg')):
            raise AttributeError('TeacherStudentValLoop needs a teacher-student model (SemiBaseSegmentor) with '
                                 f'.teacher, .student and .semi_test_cfg; got {type(model).__name__}. Use ValLoop.')
        if model.teacher is None and 'teacher' in self.predict_on:
            raise AttributeError(f'TeacherStudentValLoop: this {type(model).__name__} has no teacher (pseudo-labels and '
                                 "predictions from the student): use ValLoop, or predict_on=('student', )")
        return model

    def run(self) -> dict:
        """Validate each network of ``predict_on`` and report the metrics of all of them."""
        self.runner.call_hook('before_val')
        self.runner.call_hook('before_val_epoch')
        self.runner.model.eval()
        model = self._semi_model()
        default = model.semi_test_cfg.get('predict_on', 'teacher')
        all_metrics: dict = {}
        plain: dict = {}
        try:
            for name in self.predict_on:
                model.semi_test_cfg['predict_on'] = name
                self.val_loss.clear()
                for idx, data_batch in enumerate(self.dataloader):
                    self.run_iter(idx, data_batch)
                metrics = self.evaluator.evaluate(len(self.dataloader.dataset))
                if self.val_loss:
                    metrics.update(_parse_losses(self.val_loss, 'val'))
                all_metrics.update({f'{name}/{k}': v for k, v in metrics.items()})
                if name == default or not plain:
                    plain = metrics
        finally:
            model.semi_test_cfg['predict_on'] = default
        all_metrics.update(plain)
        self.runner.call_hook('after_val_epoch', metrics=all_metrics)
        self.runner.call_hook('after_val')
        return all_metrics
