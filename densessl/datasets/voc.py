"""Pascal VOC 2012 with the SBD augmented annotations (``voc12aug``)."""
from mmseg.datasets import PascalVOCDataset

from densessl.registry import DATASETS
from .base import SplitSegDataset


@DATASETS.register_module()
class PascalVOCAugDataset(SplitSegDataset):
    """Pascal VOC 2012 + SBD: 21 classes (background + 20), 10582 ``train_aug`` / 1449 ``val`` images.

    Layout (``data_root = data/VOCdevkit/VOC2012``)::

        JPEGImages/<name>.jpg
        SegmentationClass/<name>.png          VOC palette masks (val)
        SegmentationClassAug/<name>.png       index masks, made by tools/dataset_converters/voc_aug.py
        ImageSets/Segmentation/{train_aug,val}.txt

    Mask values are class indices 0..20, 255 = ignore (object borders); ``reduce_zero_label`` is False.

    Args:
        ann_file (str): split file (``ImageSets/Segmentation/train_aug.txt``, ``val.txt`` or a
            ``data/splits/voc/<setting>/{labeled,unlabeled}.txt``); ``''`` = every image of the image folder.
        img_suffix (str): image suffix. Defaults to ``'.jpg'``.
        seg_map_suffix (str): mask suffix. Defaults to ``'.png'``.
        **kwargs: arguments of :class:`~densessl.datasets.base.SplitSegDataset` (``with_label``, ``data_root``,
            ``data_prefix``, ``pipeline``, ...).
    """

    METAINFO = PascalVOCDataset.METAINFO
    DOWNLOAD_HINT = (
        'Get VOCtrainval_11-May-2012.tar (Pascal VOC 2012) and the SBD benchmark (benchmark.tgz), extract both '
        'under data/VOCdevkit (VOCdevkit/VOC2012 and VOCdevkit/VOCaug/dataset), then run '
        '`python tools/dataset_converters/voc_aug.py data/VOCdevkit data/VOCdevkit/VOCaug` to write '
        'SegmentationClassAug/ and ImageSets/Segmentation/train_aug.txt.')

    IMG_SUFFIX = '.jpg'
    SEG_MAP_SUFFIX = '.png'
