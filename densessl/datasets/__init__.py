from . import samplers, transforms  # noqa: F401
from .cityscapes import CityscapesTrainIdsDataset
from .cls_datasets import SemiCIFAR10, SemiCIFAR100, SemiFashionMNIST, SemiSVHN
from .demo import DemoScenesDataset, DemoSourceScenesDataset
from .isic2017 import ISIC2017Dataset
from .splits import make_split, read_split_file, write_split
from .voc import PascalVOCAugDataset

__all__ = [
    'PascalVOCAugDataset', 'CityscapesTrainIdsDataset', 'ISIC2017Dataset', 'DemoScenesDataset',
    'DemoSourceScenesDataset', 'SemiCIFAR10', 'SemiCIFAR100', 'SemiFashionMNIST', 'SemiSVHN', 'make_split',
    'write_split', 'read_split_file'
]
