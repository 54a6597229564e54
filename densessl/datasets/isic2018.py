"""ISIC 2018 task 1: skin lesion boundary segmentation (background vs lesion)."""
from densessl.registry import DATASETS
from .isic2017 import ISIC2017Dataset


@DATASETS.register_module()
class ISIC2018Dataset(ISIC2017Dataset):
    """ISIC 2018 task 1 lesion segmentation: 2 classes, 2594 train / 100 val / 1000 test images.

    Layout (``data_root = data/ISIC2018``), for ``<part>`` in ``Training``, ``Validation``, ``Test``::

        ISIC2018_Task1-2_<part>_Input/ISIC_<7 digits>.jpg                 (+ LICENSE / ATTRIBUTION files)
        ISIC2018_Task1_<part>_GroundTruth/ISIC_<7 digits>_segmentation.png      original masks, 0/255
        ISIC2018_Task1_<part>_GroundTruth_01/ISIC_<7 digits>_segmentation.png   0/1 masks, made by
                                                              tools/dataset_converters/isic2018.py

    Use the ``_01`` folders as ``seg_map_path``: masks have no ignore label (``MASK_HAS_IGNORE = False``), so an
    unconverted 0/255 mask is rejected when loaded instead of its lesion being read as "ignore".

    Args:
        ann_file (str): split file, or ``''`` for every image of the folder. Defaults to ``''``.
        **kwargs: arguments of :class:`~densessl.datasets.base.SplitSegDataset`.

    Classes, palette, suffixes and the no-ignore rule are ISIC 2017's (:class:`ISIC2017Dataset`).
    """

    DOWNLOAD_HINT = (
        'Get the ISIC 2018 task 1 archives (ISIC2018_Task1-2_{Training,Validation,Test}_Input.zip and '
        'ISIC2018_Task1_{Training,Validation,Test}_GroundTruth.zip) from the ISIC challenge site, extract them into '
        'data/ISIC2018, then run `python tools/dataset_converters/isic2018.py data/ISIC2018` to write the 0/1 masks '
        '(ISIC2018_Task1_*_GroundTruth_01/).')
