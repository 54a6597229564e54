"""FixMatch for segmentation (Sohn et al., NeurIPS 2020, in the dense form of Yang et al.'s UniMatch code base,
where it is the baseline UniMatch builds on)."""
import copy

from densessl.registry import MODELS
from .semi_base import SEMI_SEG_TRAIN_CFG, SemiBaseSegmentor

__all__ = ['FixMatchSegmentor', 'UNIMATCH_CUTMIX']

#: UniMatch's CutMix between unlabeled images: with probability 0.5 a box of 2-40 % of the image, height / width in
#: [0.3, 1 / 0.3], shows the partner's strong view (and its pseudo-labels)
UNIMATCH_CUTMIX = dict(type='CutMixMask', area=(0.02, 0.4), aspect_ratio=(0.3, 1 / 0.3), prob=0.5,
                       box_from='partner')


@MODELS.register_module()
class FixMatchSegmentor(SemiBaseSegmentor):
    """:class:`SemiBaseSegmentor` with FixMatch's defaults, as in UniMatch's ``fixmatch.py``.

    The model's own prediction on the weak view (no gradient, no EMA teacher) gives hard pseudo-labels; pixels
    whose confidence is at least 0.95 train the student on the strong view (colour jitter, grayscale, blur in the
    data pipeline, CutMix with another unlabeled image here: with probability 0.5 a box of 2-40 % of the image, aspect
    ratio 0.3-3.3, showing the partner's strong view and pseudo-labels) with a cross-entropy averaged over all valid
    pixels. The loss is ``(L_sup + L_strong) / 2``. The student predicts at test time.

    Args: as :class:`SemiBaseSegmentor`; ``semi_train_cfg`` entries override these defaults.
    """

    default_semi_train_cfg = {
        **copy.deepcopy(SEMI_SEG_TRAIN_CFG),
        'pseudo_label_from': 'student',
        'pseudo_label': dict(type='PseudoLabeler', mode='hard'),
        'confidence': dict(type='ConfidenceMask', threshold=0.95, mode='pixel'),
        'unsup_loss': dict(type='ConsistencyLoss', loss_type='ce'),
        'mix': copy.deepcopy(UNIMATCH_CUTMIX),
        'sup_weight': 0.5,
        'unsup_weight': 0.5,
    }
    default_semi_test_cfg = dict(predict_on='student')
