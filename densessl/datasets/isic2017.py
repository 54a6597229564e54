"""ISIC 2017 task 1: skin lesion segmentation (background vs lesion)."""
from densessl.registry import DATASETS
from .base import SplitSegDataset


@DATASETS.register_module()
class ISIC2017Dataset(SplitSegDataset):
    """ISIC 2017 lesion segmentation: 2 classes, 2000 train / 150 val / 600 test images.

    Layout (``data_root = data/ISIC2017``), for ``<part>`` in ``Training``, ``Validation``, ``Test_v2``::

        ISIC-2017_<part>_Data/ISIC_<7 digits>.jpg                         (+ *_superpixels.png, ignored)
        ISIC-2017_<part>_Part1_GroundTruth/ISIC_<7 digits>_segmentation.png     original masks, 0/255
        ISIC-2017_<part>_Part1_GroundTruth_01/ISIC_<7 digits>_segmentation.png  0/1 masks, made by
                                                                 tools/dataset_converters/isic2017.py

    Use the ``_01`` folders as ``seg_map_path``. ISIC masks have no ignore label (``MASK_HAS_IGNORE = False``), so
    :class:`~densessl.datasets.transforms.LoadCheckedAnnotations` rejects an unconverted 0/255 mask instead of
    reading its lesion as "ignore".

    Args:
        ann_file (str): split file, or ``''`` for every image of the folder. Defaults to ``''``.
        img_suffix (str): Defaults to ``'.jpg'``.
        seg_map_suffix (str): Defaults to ``'_segmentation.png'``.
        **kwargs: arguments of :class:`~densessl.datasets.base.SplitSegDataset`.
    """

    METAINFO = dict(classes=('background', 'lesion'), palette=[[0, 0, 0], [255, 255, 255]])
    MASK_HAS_IGNORE = False
    DOWNLOAD_HINT = (
        'Get the ISIC 2017 task 1 archives (ISIC-2017_{Training,Validation,Test_v2}_Data.zip and '
        'ISIC-2017_{Training,Validation,Test_v2}_Part1_GroundTruth.zip) from the ISIC challenge site, extract '
        'them into data/ISIC2017, then run `python tools/dataset_converters/isic2017.py data/ISIC2017` to write '
        'the 0/1 masks (ISIC-2017_*_Part1_GroundTruth_01/).')

    IMG_SUFFIX = '.jpg'
    SEG_MAP_SUFFIX = '_segmentation.png'
