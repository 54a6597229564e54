"""Semi-supervised image classifiers on mmpretrain's ``ImageClassifier`` (one file per algorithm)."""
from .fixmatch import FixMatch, FlexMatch
from .mean_teacher import MeanTeacher
from .pseudo_label import PseudoLabel
from .semi_base_classifier import SemiBaseClassifier, ramp_weight
from .vat import VAT, frozen_bn_stats, l2_normalize, vat_perturbation

__all__ = [
    'SemiBaseClassifier', 'FixMatch', 'FlexMatch', 'PseudoLabel', 'VAT', 'MeanTeacher', 'ramp_weight',
    'vat_perturbation', 'l2_normalize', 'frozen_bn_stats'
]
