"""The embedded demo dataset: Fashion-MNIST scenes made by the generator :mod:`densessl.utils.demo_scenes`."""
from densessl.registry import DATASETS
from densessl.utils.demo_scenes import DEMO_CLASSES, DEMO_PALETTE, SOURCE_CLASSES, SOURCE_PALETTE
from .base import SplitSegDataset


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

    IMG_SUFFIX = '.jpg'
    SEG_MAP_SUFFIX = '.png'


@DATASETS.register_module()
class DemoSourceScenesDataset(DemoScenesDataset):
    """The demo's *source* scenes: 7 classes (background, pullover, dress, coat, sandal, shirt, ankle boot), none of
    them a demo class; ``data_root = data/demo_source``, the same layout as :class:`DemoScenesDataset`.

    Supervised pretraining on them stands in for the ImageNet weights the method starts from (see
    ``configs/deeplabv3plus/deeplabv3plus_r18-d16_1xb8-2k_demo-source-96x96.py``).
    """

    METAINFO = dict(classes=SOURCE_CLASSES, palette=SOURCE_PALETTE)
    DOWNLOAD_HINT = ('Generate it (offline, seconds) with `python tools/misc/make_demo_data.py --source` (needs '
                     'the Debian package dataset-fashion-mnist; tools/setup_env.sh installs it).')
