"""A data preprocessor for multi-branch (labeled / weak / strong) training batches.

Each training sample packed by :class:`~densessl.datasets.transforms.MultiBranch` holds every branch name, with
``None`` in the branches it does not feed::

    {'inputs':       {'sup': img | None, 'unsup_teacher': img | None, 'unsup_student': img | None},
     'data_samples': {'sup': sample | None, ...}}

After collation the preprocessor drops the ``None`` entries, runs the wrapped task preprocessor (mmseg's
``SegDataPreProcessor``, mmpretrain's ``ClsDataPreprocessor``, ...) once per branch and returns
``{'inputs': {branch: Tensor}, 'data_samples': {branch: list}}``. Outside training it is the wrapped preprocessor.
Same design as mmdet's ``MultiBranchDataPreprocessor``.
"""
from typing import Dict, Union

import torch
from mmengine.model import BaseDataPreprocessor

from densessl.registry import MODELS

__all__ = ['MultiBranchDataPreprocessor']


@MODELS.register_module()
class MultiBranchDataPreprocessor(BaseDataPreprocessor):
    """Run a task data preprocessor on each branch of a multi-branch batch.

    Args:
        data_preprocessor (dict | BaseDataPreprocessor): the task preprocessor (config or module), e.g.
            ``dict(type='SegDataPreProcessor', mean=..., std=..., size=crop_size, seg_pad_val=255)``.

    Examples:
        >>> from mmseg.models import SegDataPreProcessor
        >>> pre = MultiBranchDataPreprocessor(SegDataPreProcessor(size=(4, 4)))
        >>> from mmseg.structures import SegDataSample
        >>> batch = {'inputs': {'sup': [torch.zeros(3, 4, 4), None], 'unsup_teacher': [None, torch.zeros(3, 4, 4)]},
        ...          'data_samples': {'sup': [SegDataSample(), None], 'unsup_teacher': [None, SegDataSample()]}}
        >>> out = pre(batch, training=True)
        >>> {k: tuple(v.shape) for k, v in out['inputs'].items()}
        {'sup': (1, 3, 4, 4), 'unsup_teacher': (1, 3, 4, 4)}
    """

    def __init__(self, data_preprocessor: Union[dict, BaseDataPreprocessor]) -> None:
        super().__init__()
        if isinstance(data_preprocessor, dict):
            data_preprocessor = MODELS.build(data_preprocessor)
        self.data_preprocessor = data_preprocessor

    @property
    def device(self) -> torch.device:
        return self.data_preprocessor.device

    def forward(self, data: dict, training: bool = False) -> Dict[str, dict]:
        """Preprocess every branch (training) or the plain batch (validation / test).

        Raises:
            ValueError: a training batch is not multi-branch (its ``inputs`` is not a dict of branches): the
                training pipeline must end with ``MultiBranch``.
        """
        if not training:
            return self.data_preprocessor(data, training)
        inputs, samples = data.get('inputs'), data.get('data_samples')
        if not isinstance(inputs, dict):
            raise ValueError('MultiBranchDataPreprocessor got a training batch without branches: end the training '
                             "pipelines with dict(type='MultiBranch', branch_field=[...], <branch>=[...])")
        out: Dict[str, dict] = {'inputs': {}, 'data_samples': {}}
        for branch, branch_inputs in inputs.items():
            keep = [i for i, x in enumerate(branch_inputs) if x is not None]
            if not keep:
                continue
            branch_data = {'inputs': [branch_inputs[i] for i in keep]}
            if samples is not None and branch in samples:
                branch_data['data_samples'] = [samples[branch][i] for i in keep]
            processed = self.data_preprocessor(branch_data, training)
            out['inputs'][branch] = processed['inputs']
            out['data_samples'][branch] = processed.get('data_samples')
        return out
