from . import samplers, transforms  # noqa: F401
from .cityscapes import CityscapesTrainIdsDataset
from .demo import DemoScenesDataset
from .isic2017 import ISIC2017Dataset
from .splits import make_split, read_split_file, write_split
from .voc import PascalVOCAugDataset

__all__ = [
    'PascalVOCAugDataset', 'CityscapesTrainIdsDataset', 'ISIC2017Dataset', 'DemoScenesDataset', 'make_split',
    'write_split', 'read_split_file'
]
