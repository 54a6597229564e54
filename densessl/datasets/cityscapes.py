"""Cityscapes with train-id masks (19 classes)."""
from mmseg.datasets import CityscapesDataset

from densessl.registry import DATASETS
from .base import SplitSegDataset


@DATASETS.register_module()
class CityscapesTrainIdsDataset(SplitSegDataset):
    """Cityscapes fine annotations: 19 classes, 2975 train / 500 val images.

    Layout (``data_root = data/cityscapes``)::

        leftImg8bit/{train,val}/<city>/<city>_<seq>_<frame>_leftImg8bit.png
        gtFine/{train,val}/<city>/<city>_<seq>_<frame>_gtFine_labelTrainIds.png
            (written by tools/dataset_converters/cityscapes.py)

    A sample name (a line of a split file) is ``<city>/<city>_<seq>_<frame>``, e.g.
    ``aachen/aachen_000000_000019``. ``ann_file=''`` (the default) takes every image of
    ``data_prefix['img_path']``, sorted. Mask values are train ids 0..18, 255 = ignore.

    Args:
        ann_file (str): split file, or ``''`` for the whole folder. Defaults to ``''``.
        img_suffix (str): Defaults to ``'_leftImg8bit.png'``.
        seg_map_suffix (str): Defaults to ``'_gtFine_labelTrainIds.png'``.
        **kwargs: arguments of :class:`~densessl.datasets.base.SplitSegDataset`.
    """

    METAINFO = CityscapesDataset.METAINFO
    DOWNLOAD_HINT = (
        'Get leftImg8bit_trainvaltest.zip and gtFine_trainvaltest.zip from the Cityscapes website (registration '
        'required), extract both into data/cityscapes, then run '
        '`python tools/dataset_converters/cityscapes.py data/cityscapes` to write the *_gtFine_labelTrainIds.png '
        'masks.')

    IMG_SUFFIX = '_leftImg8bit.png'
    SEG_MAP_SUFFIX = '_gtFine_labelTrainIds.png'
