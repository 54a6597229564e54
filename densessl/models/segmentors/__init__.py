from .classmix import ClassMixSegmentor
from .cutmix import CutMixSegmentor
from .semi_base import SemiBaseSegmentor

__all__ = ['SemiBaseSegmentor', 'CutMixSegmentor', 'ClassMixSegmentor']
