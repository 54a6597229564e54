"""UniMatch (Yang et al., CVPR 2023, "Revisiting weak-to-strong consistency in semi-supervised semantic
segmentation")::

    weak view --student encoder--> features --decoder (no grad)--------> pseudo-labels, confidence >= 0.95
                                            `-Dropout2d(0.5)-> decoder --> L_fp  (unmixed targets)
    strong view 1 (own CutMix box + partner) --student--> L_s1 (mixed targets)
    strong view 2 (own CutMix box + partner) --student--> L_s2 (mixed targets)
    loss = (L_sup + 0.5 L_fp + 0.25 L_s1 + 0.25 L_s2) / 2
"""
import copy

from densessl.registry import MODELS
from .fixmatch import FixMatchSegmentor

__all__ = ['UniMatchSegmentor']


@MODELS.register_module()
class UniMatchSegmentor(FixMatchSegmentor):
    """:class:`FixMatchSegmentor` with UniMatch's two strong views and feature-perturbation stream.

    Each strong view (branches ``unsup_student`` and ``unsup_student2``, each with its own photometric draws in the
    data pipeline) gets its own CutMix box (probability 0.5) and mixing partner; the mixed regions take their
    targets and confidences from the partner's pseudo-labels. The fp stream drops channels of the student's encoder
    features of the weak view (the features whose clean decoding gives the pseudo-labels, in the same encoder pass)
    and decodes them; its loss reaches the encoder and the decoder through the dropped-out features. Every
    unsupervised loss counts the confident pixels and divides by all valid ones (padding is ignored).

    Differences from the official code, both for batches that fit the template: the mixing partners are other
    images of the same unlabeled batch (view k pairs image i with i + k + 1), whose pseudo-labels come from the same
    weak pass, where the official loader draws a second unlabeled batch and predicts it in eval mode; and the
    labeled images and the weak views go through separate forwards (the official code concatenates them, so its BN
    batch statistics mix the two).

    Args: as :class:`SemiBaseSegmentor`; ``semi_train_cfg`` entries override these defaults.
    """

    default_semi_train_cfg = {
        **copy.deepcopy(FixMatchSegmentor.default_semi_train_cfg),
        'strong_branches': ('unsup_student', 'unsup_student2'),
        'strong_weights': (0.25, 0.25),
        'feature_perturbation': dict(type='FeatureDropout', p=0.5),
        'fp_weight': 0.5,
    }
