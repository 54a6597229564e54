"""Parts shared by semi-supervised classification and segmentation; the class axis is ``dim=1`` everywhere."""
from .confidence import ConfidenceMask, ConfidenceWeights, FlexMatchMask, confidence_weights
from .consistency import (ConsistencyLoss, EntropyLoss, cross_entropy, entropy, kl_divergence,
                          mse_consistency)
from .data_preprocessor import MultiBranchDataPreprocessor
from .mixing import (ClassMixMask, CutMixMask, classmix_masks, cutmix_box_masks, mix_batch,
                     partner_permutation)
from .norm import frozen_bn_stats
from .pseudo_label import PseudoLabeler, PseudoLabels, fuse_prior, pseudo_label, sharpen

__all__ = [
    'PseudoLabeler', 'PseudoLabels', 'pseudo_label', 'sharpen', 'fuse_prior', 'ConfidenceMask', 'ConfidenceWeights',
    'FlexMatchMask', 'confidence_weights', 'CutMixMask', 'ClassMixMask', 'cutmix_box_masks', 'classmix_masks',
    'mix_batch', 'partner_permutation', 'ConsistencyLoss', 'EntropyLoss', 'cross_entropy', 'kl_divergence',
    'mse_consistency', 'entropy', 'MultiBranchDataPreprocessor', 'frozen_bn_stats'
]
