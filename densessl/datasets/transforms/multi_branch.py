"""Multi-branch packing for semi-supervised training (labeled ``sup``, unlabeled ``unsup_teacher`` /
``unsup_student``), as mmdet's ``MultiBranch``, for dense outputs.

For segmentation the two views of an unlabeled image must stay aligned pixel for pixel: every geometric
transform goes *before* ``MultiBranch`` (so both views share it) and the branch pipelines only add photometric
changes and pack::

    unlabeled_pipeline = [
        dict(type='LoadImageFromFile'),                       # no mask is read: unlabeled images need none
        dict(type='RandomResize', scale=(2048, 512), ratio_range=(0.5, 2.0), keep_ratio=True),
        dict(type='RandomCrop', crop_size=(321, 321)),        # cat_max_ratio needs a mask: keep it at 1
        dict(type='RandomFlip', prob=0.5),
        dict(type='MultiBranch', branch_field=['sup', 'unsup_teacher', 'unsup_student'],
             unsup_teacher=[dict(type='PackSegInputs')],
             unsup_student=[dict(type='StrongPhotometricAug'), dict(type='PackSegInputs')]),
    ]
    labeled_pipeline = [..., dict(type='MultiBranch', branch_field=[...], sup=[dict(type='PackSegInputs')])]

Each sample becomes ``{'inputs': {branch: tensor | None}, 'data_samples': {branch: sample | None}}`` with every
name of ``branch_field`` present (``None`` where the sample has no such view), so labeled and unlabeled samples
collate into one batch that :class:`~densessl.models.ssl.MultiBranchDataPreprocessor` splits by branch.
"""
import copy
from typing import Dict, List, Optional, Sequence

from mmcv.transforms import BaseTransform, Compose

from densessl.registry import TRANSFORMS

__all__ = ['MultiBranch', 'SEMI_BRANCHES']

#: the branch names the semi-supervised models read
SEMI_BRANCHES = ('sup', 'unsup_teacher', 'unsup_student')


@TRANSFORMS.register_module()
class MultiBranch(BaseTransform):
    """Run several pipelines on copies of one sample and pack their outputs by branch.

    Args:
        branch_field (list[str]): every branch name of the training batch (the same list in the labeled and in
            the unlabeled pipeline). Defaults to :data:`SEMI_BRANCHES`.
        **branch_pipelines (list[dict]): one pipeline per branch this sample feeds, each ending with a packing
            transform (``PackSegInputs``, ``PackInputs``) that returns ``inputs`` and ``data_samples``.

    Raises:
        ValueError: no branch pipeline, or a pipeline named outside ``branch_field``.
        KeyError: (at call time) a branch pipeline did not pack its output.

    Examples:
        >>> import numpy as np
        >>> mb = MultiBranch(branch_field=['sup', 'unsup_teacher', 'unsup_student'],
        ...                  unsup_teacher=[dict(type='mmseg.PackSegInputs')],
        ...                  unsup_student=[dict(type='mmseg.PackSegInputs')])
        >>> out = mb({'img': np.zeros((4, 4, 3), np.uint8), 'img_shape': (4, 4), 'ori_shape': (4, 4)})
        >>> sorted(out['inputs']), out['inputs']['sup'] is None
        (['sup', 'unsup_student', 'unsup_teacher'], True)
    """

    def __init__(self, branch_field: Sequence[str] = SEMI_BRANCHES, **branch_pipelines: List[dict]) -> None:
        self.branch_field = list(branch_field)
        if not branch_pipelines:
            raise ValueError('MultiBranch needs at least one branch pipeline, e.g. sup=[dict(type="PackSegInputs")]')
        unknown = sorted(set(branch_pipelines) - set(self.branch_field))
        if unknown:
            raise ValueError(f'MultiBranch: branch pipeline(s) {unknown} are not in branch_field={self.branch_field}')
        self.branch_pipelines = {name: Compose(pipeline) for name, pipeline in branch_pipelines.items()}

    def transform(self, results: dict) -> Optional[Dict[str, dict]]:
        """Run each branch pipeline on a deep copy of ``results``.

        Returns:
            dict | None: ``{'inputs': {...}, 'data_samples': {...}}`` over all of ``branch_field``, or ``None``
            when a branch pipeline drops the sample (the dataset then draws another one).
        """
        packed: Dict[str, dict] = {'inputs': {b: None for b in self.branch_field},
                                   'data_samples': {b: None for b in self.branch_field}}
        for branch, pipeline in self.branch_pipelines.items():
            out = pipeline(copy.deepcopy(results))
            if out is None:
                return None
            if 'inputs' not in out or 'data_samples' not in out:
                raise KeyError(f"MultiBranch: the '{branch}' pipeline must end with a packing transform "
                               f"(PackSegInputs / PackInputs); its output has keys {sorted(out)}")
            packed['inputs'][branch] = out['inputs']
            packed['data_samples'][branch] = out['data_samples']
        return packed

    def __repr__(self) -> str:
        return f'{type(self).__name__}(branch_field={self.branch_field}, branches={list(self.branch_pipelines)})'
