"""Differentiable geometric augmentation of batches (kornia) and the inverse warp of feature maps."""
from .affine import (DifferentiableAffine, affine_valid_mask, affine_warp, inverse_affine_warp,
                     random_affine_matrix, rescale_affine_matrix)

__all__ = [
    'DifferentiableAffine', 'random_affine_matrix', 'affine_warp', 'rescale_affine_matrix', 'affine_valid_mask',
    'inverse_affine_warp'
]
