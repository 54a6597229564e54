from .classmix import ClassMixSegmentor
from .cutmix import CutMixSegmentor
from .fixmatch import FixMatchSegmentor
from .semi_base import SEMI_SEG_TRAIN_CFG, SemiBaseSegmentor
from .unimatch import UniMatchSegmentor

__all__ = [
    'SemiBaseSegmentor', 'SEMI_SEG_TRAIN_CFG', 'CutMixSegmentor', 'ClassMixSegmentor', 'FixMatchSegmentor',
    'UniMatchSegmentor'
]
