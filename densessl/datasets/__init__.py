from . import samplers, transforms  # noqa: F401
from .cityscapes import CityscapesTrainIdsDataset
from .cls_datasets import SemiCIFAR10, SemiCIFAR100, SemiFashionMNIST, SemiSVHN
from .demo import DemoScenesDataset, DemoSourceScenesDataset
from .isic2017 import ISIC2017Dataset
from .splits import (make_balanced_split, make_split, read_index_file, read_split_file, write_index_split,
                     write_split, write_split_lines)
from .voc import PascalVOCAugDataset

__all__ = [
    'PascalVOCAugDataset', 'CityscapesTrainIdsDataset', 'ISIC2017Dataset', 'DemoScenesDataset',
    'DemoSourceScenesDataset', 'SemiCIFAR10', 'SemiCIFAR100', 'SemiFashionMNIST', 'SemiSVHN', 'make_split',
    'write_split', 'write_split_lines', 'read_split_file', 'make_balanced_split', 'write_index_split', 'read_index_file'
]
from .acdc import ACDCDataset, DemoACDCDataset, H5SegDataset, acdc_split_lines, write_h5_layout  # noqa: E402
from .folder import FolderSegDataset  # noqa: E402
from .isic2018 import ISIC2018Dataset  # noqa: E402
from .kvasir import KvasirSEGDataset  # noqa: E402

__all__ += [
    'H5SegDataset', 'ACDCDataset', 'DemoACDCDataset', 'acdc_split_lines', 'write_h5_layout', 'write_split_lines',
    'FolderSegDataset', 'ISIC2018Dataset', 'KvasirSEGDataset'
]
