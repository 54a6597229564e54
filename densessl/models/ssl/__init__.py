"""Parts shared by semi-supervised classification and segmentation; the class axis is ``dim=1`` everywhere."""
from .confidence import ConfidenceMask, ConfidenceWeights, FlexMatchMask, class_balanced_weights, confidence_weights
from .consistency import (ConsistencyLoss, EntropyLoss, cross_entropy, entropy, kl_divergence,
                          mse_consistency)
from .data_preprocessor import MultiBranchDataPreprocessor
from .mixing import (ClassMixMask, CutMixMask, classmix_masks, cutmix_box_masks, mix_batch,
                     partner_permutation)
from .norm import bn_batch_stats, frozen_bn_stats
from .perturbation import FeatureDropout, feature_dropout, l2_normalize, vat_perturbation
from .pseudo_label import PseudoLabeler, PseudoLabels, fuse_prior, pseudo_label, sharpen
from .rotation import NUM_ROTATIONS, rotate_batch
from .teacher_student import (TEACHER_STUDENT_CFG, TeacherStudentMixin, merge_semi_cfg, rename_loss_dict,
                              reweight_loss_dict)

__all__ = [
    'PseudoLabeler', 'PseudoLabels', 'pseudo_label', 'sharpen', 'fuse_prior', 'ConfidenceMask', 'ConfidenceWeights',
    'FlexMatchMask', 'confidence_weights', 'class_balanced_weights', 'CutMixMask', 'ClassMixMask', 'cutmix_box_masks', 'classmix_masks',
    'mix_batch', 'partner_permutation', 'ConsistencyLoss', 'EntropyLoss', 'cross_entropy', 'kl_divergence',
    'mse_consistency', 'entropy', 'MultiBranchDataPreprocessor', 'frozen_bn_stats', 'bn_batch_stats',
    'FeatureDropout', 'feature_dropout', 'vat_perturbation', 'l2_normalize', 'rotate_batch', 'NUM_ROTATIONS',
    'TeacherStudentMixin', 'TEACHER_STUDENT_CFG', 'merge_semi_cfg', 'rename_loss_dict', 'reweight_loss_dict'
]
