"""Semi-supervised image classifiers on mmpretrain's ``ImageClassifier`` (one file per algorithm)."""
from .alternating import AlternatingClassifier, random_subset_mask
from .as3l import AS3L, load_prior
from .attention_fixmatch import AttentionBiPooling, AttentionFixMatch, attention_consistency, attention_distribution
from .fixmatch import FixMatch, FlexMatch
from .mean_teacher import MeanTeacher
from .moam import S4LRotationVAT
from .pseudo_label import PseudoLabel
from .rotnet import RotNet
from .s4l import S4LExemplar, S4LRotation, batch_hard_triplet_loss, exemplar_copies
from .semi_base_classifier import SemiBaseClassifier, ramp_weight
from .vat import VAT

__all__ = [
    'SemiBaseClassifier', 'FixMatch', 'FlexMatch', 'PseudoLabel', 'VAT', 'MeanTeacher', 'S4LRotation',
    'S4LExemplar', 'RotNet', 'ramp_weight', 'batch_hard_triplet_loss', 'exemplar_copies', 'AlternatingClassifier',
    'random_subset_mask', 'AS3L', 'load_prior', 'AttentionFixMatch', 'AttentionBiPooling', 'attention_distribution',
    'attention_consistency', 'S4LRotationVAT'
]
