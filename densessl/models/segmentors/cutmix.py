"""CutMix mean teacher for segmentation (French et al., BMVC 2020, "Semi-supervised semantic segmentation needs
strong, varied perturbations")."""
import copy

from densessl.registry import MODELS
from .semi_base import SEMI_SEG_TRAIN_CFG, SemiBaseSegmentor

__all__ = ['CutMixSegmentor']


@MODELS.register_module()
class CutMixSegmentor(SemiBaseSegmentor):
    """:class:`SemiBaseSegmentor` with French et al.'s CutMix defaults.

    Pairs of unlabeled images are mixed with one random box per pair covering half of the image (random aspect
    ratio); the teacher's softmax outputs on the unmixed images are mixed with the same box and the student's
    softmax on the mixed image is pulled towards them with a squared error (their ``'var'`` loss), every pixel
    weighted by the share of pixels whose teacher confidence is at least 0.97 (their default without
    ``conf_per_pixel``). The EMA teacher weight is 0.99 (``MeanTeacherHook(teacher_momentum=0.99)``). The student's
    pass on the mixed strong views leaves the BN running statistics alone (``unsup_bn_stats='frozen'``).

    Args: as :class:`SemiBaseSegmentor`; ``semi_train_cfg`` entries override these defaults.
    """

    default_semi_train_cfg = {
        **copy.deepcopy(SEMI_SEG_TRAIN_CFG),
        'mix': dict(type='CutMixMask', area=0.5, n_boxes=1, random_aspect_ratio=True),
        'pseudo_label': dict(type='PseudoLabeler', mode='soft'),
        'confidence': dict(type='ConfidenceMask', threshold=0.97, mode='proportion'),
        'unsup_loss': dict(type='ConsistencyLoss', loss_type='mse'),
        'unsup_weight': 1.0,
    }
