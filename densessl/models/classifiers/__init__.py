"""Semi-supervised image classifiers on mmpretrain's ``ImageClassifier`` (one file per algorithm)."""
from .fixmatch import FixMatch, FlexMatch
from .semi_base_classifier import SemiBaseClassifier, ramp_weight

__all__ = ['SemiBaseClassifier', 'FixMatch', 'FlexMatch', 'ramp_weight']
