"""The embedded demo dataset (Fashion-MNIST scenes, see :mod:`densessl.datasets.demo_scenes`)."""
from densessl.registry import DATASETS
from .base import SplitSegDataset
from .demo_scenes import DEMO_CLASSES, DEMO_PALETTE


@DATASETS.register_module()
class DemoScenesDataset(SplitSegDataset):
    """Demo scenes: 5 classes (background, t-shirt, trouser, sneaker, bag), 1000 train / 200 val 128x128 images.

    Layout (``data_root = data/demo``), the Pascal VOC one::

        JPEGImages/{train,val}_<5 digits>.jpg
        SegmentationClass/{train,val}_<5 digits>.png     class indices 0..4
        ImageSets/Segmentation/{train,val}.txt

    Masks have no ignore label (``MASK_HAS_IGNORE = False``): a 255 pixel is reported as out of range.

    Args:
        ann_file (str): split file, or ``''`` for every image. Defaults to ``''``.
        **kwargs: arguments of :class:`~densessl.datasets.base.SplitSegDataset`.
    """

    METAINFO = dict(classes=DEMO_CLASSES, palette=DEMO_PALETTE)
    MASK_HAS_IGNORE = False
    DOWNLOAD_HINT = ('Generate it (offline, seconds) with `python tools/misc/make_demo_data.py` (needs the Debian '
                     'package dataset-fashion-mnist; tools/setup_env.sh installs it). tools/train.py does this '
                     'on first use.')

    def __init__(self,
                 ann_file: str = '',
                 img_suffix: str = '.jpg',
                 seg_map_suffix: str = '.png',
                 reduce_zero_label: bool = False,
                 ignore_index: int = 255,
                 **kwargs) -> None:
        super().__init__(
            ann_file=ann_file,
            img_suffix=img_suffix,
            seg_map_suffix=seg_map_suffix,
            reduce_zero_label=reduce_zero_label,
            ignore_index=ignore_index,
            **kwargs)
