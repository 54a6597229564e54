"""ClassMix mean teacher for segmentation (Olsson et al., WACV 2021, "ClassMix: segmentation-based data
augmentation for semi-supervised learning")."""
import copy

from densessl.registry import MODELS
from .semi_base import SEMI_SEG_TRAIN_CFG, SemiBaseSegmentor

__all__ = ['ClassMixSegmentor']


@MODELS.register_module()
class ClassMixSegmentor(SemiBaseSegmentor):
    """:class:`SemiBaseSegmentor` with Olsson et al.'s ClassMix defaults.

    For each pair of unlabeled images the mask is the pixels of the source image whose teacher argmax is in a
    random half of the classes present there; the mixed image and the mixed argmax pseudo-labels train the
    student with a cross-entropy in which every pixel is weighted by the share of pixels whose teacher
    confidence is at least 0.968. The EMA teacher weight is 0.99 (``MeanTeacherHook(teacher_momentum=0.99)``).

    Args: as :class:`SemiBaseSegmentor`; ``semi_train_cfg`` entries override these defaults.
    """

    default_semi_train_cfg = {
        **copy.deepcopy(SEMI_SEG_TRAIN_CFG),
        'mix': dict(type='ClassMixMask'),
        'pseudo_label': dict(type='PseudoLabeler', mode='hard'),
        'confidence': dict(type='ConfidenceMask', threshold=0.968, mode='proportion'),
        'unsup_loss': dict(type='ConsistencyLoss', loss_type='ce'),
        'unsup_weight': 1.0,
    }
