from .cls_views import FixMatchRandAugment, GrayToRGB
from .loading import LoadCheckedAnnotations, LoadCheckedImageFromFile
from .multi_branch import MultiBranch
from .selfsup_views import PackViewInputs, RandomResizedCropWithBox, SelfSupViews
from .strong_aug import StrongPhotometricAug

__all__ = [
    'LoadCheckedImageFromFile', 'LoadCheckedAnnotations', 'RandomResizedCropWithBox', 'SelfSupViews',
    'PackViewInputs', 'MultiBranch', 'StrongPhotometricAug', 'GrayToRGB', 'FixMatchRandAugment'
]
