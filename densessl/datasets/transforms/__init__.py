from .cls_views import FixMatchRandAugment, GrayToRGB
from .loading import LoadCheckedAnnotations, LoadCheckedImageFromFile
from .multi_branch import MultiBranch
from .selfsup_views import PackViewInputs, RandomResizedCropWithBox, SelfSupViews
from .strong_aug import StrongPhotometricAug

__all__ = [
    'LoadCheckedImageFromFile', 'LoadCheckedAnnotations', 'RandomResizedCropWithBox', 'SelfSupViews',
    'PackViewInputs', 'MultiBranch', 'StrongPhotometricAug', 'GrayToRGB', 'FixMatchRandAugment'
]
from .gray_aug import GrayPhotometricAug  # noqa: E402
from .loading_h5 import LoadH5Annotations, LoadH5ImageFromFile  # noqa: E402

__all__ += ['LoadH5ImageFromFile', 'LoadH5Annotations', 'GrayPhotometricAug']
