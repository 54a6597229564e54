"""Target pretraining: PixPro, BYOL and MoCo v2 with the differentiable affine and the weight regulariser."""
from .base import TargetPretrainMixin, WeightSnapshot, weight_regularisation
from .byol import BYOL
from .mocov2 import MoCoV2
from .pixpro import (PixelPropagationModule, PixPro, PixProNeck, pixel_contrast_loss, pixpro_positive_mask,
                     views_to_coords)

__all__ = [
    'TargetPretrainMixin', 'WeightSnapshot', 'weight_regularisation', 'PixPro', 'PixProNeck',
    'PixelPropagationModule', 'pixpro_positive_mask', 'pixel_contrast_loss', 'views_to_coords', 'BYOL', 'MoCoV2'
]
