from .loading import LoadCheckedAnnotations, LoadCheckedImageFromFile
from .selfsup_views import PackViewInputs, RandomResizedCropWithBox, SelfSupViews

__all__ = [
    'LoadCheckedImageFromFile', 'LoadCheckedAnnotations', 'RandomResizedCropWithBox', 'SelfSupViews',
    'PackViewInputs'
]
