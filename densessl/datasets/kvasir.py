"""Kvasir-SEG: polyp segmentation in colonoscopy frames (background vs polyp)."""
from densessl.registry import DATASETS
from .base import SplitSegDataset


@DATASETS.register_module()
class KvasirSEGDataset(SplitSegDataset):
    """Kvasir-SEG (Jha et al., MMM 2020): 1000 colonoscopy images with polyp masks, 2 classes.

    Layout (``data_root = data/Kvasir-SEG``)::

        images/<id>.jpg
        masks/<id>.jpg                 original masks: JPEG, 0/255 with compression noise
        masks_01/<id>.png              0/1 masks, made by tools/dataset_converters/kvasir.py
        {train,val,test}.txt           the converter's deterministic 800 / 100 / 100 split (seed 0)

    The data set ships no split; the converter writes one (``--num-val``, ``--num-test``, ``--seed``), and
    ``python tools/make_splits.py kvasir`` chooses the labeled images among ``train.txt``. Masks have no ignore
    label (``MASK_HAS_IGNORE = False``).

    Args:
        ann_file (str): split file, or ``''`` for every image. Defaults to ``''``.
        **kwargs: arguments of :class:`~densessl.datasets.base.SplitSegDataset`.
    """

    METAINFO = dict(classes=('background', 'polyp'), palette=[[0, 0, 0], [255, 255, 255]])
    MASK_HAS_IGNORE = False
    DOWNLOAD_HINT = (
        'Get kvasir-seg.zip (Kvasir-SEG, Simula Datasets), extract it into data/ so that data/Kvasir-SEG/images '
        'and data/Kvasir-SEG/masks exist, then run `python tools/dataset_converters/kvasir.py data/Kvasir-SEG` '
        '(0/1 PNG masks in masks_01/ and the train/val/test lists).')

    IMG_SUFFIX = '.jpg'
    SEG_MAP_SUFFIX = '.png'
