"""Any folder of images and masks, without writing a dataset class (skin lesions, polyps, nuclei, glands, ...).

A config names the two folders, the classes and, for binary 0/255 masks, one switch::

    dataset = dict(type='FolderSegDataset', data_root='data/my_lesions',
                   data_prefix=dict(img_path='images', seg_map_path='masks'),
                   classes=('background', 'lesion'),        # or num_classes=2
                   binary_masks=True,                       # masks hold 0 / 255: 255 is read as class 1
                   ann_file='data/splits/my_lesions/labeled.txt')   # or '' for every image of the folder

Image and mask suffixes are found in the folders when not given (one image suffix; the mask of ``<name><img
suffix>`` is ``<name><mask suffix>``, e.g. ``ISIC_0000000.jpg`` -> ``ISIC_0000000_segmentation.png``,
``polyp.jpg`` -> ``polyp.png``). ``tools/make_splits.py --folder DIR --num N`` writes the labeled / unlabeled / val
files. Masks are checked when loaded (:class:`~densessl.datasets.transforms.LoadCheckedAnnotations`): a value other
than the classes (and 255 for index masks, the ignore label) stops with the file and the values named.
"""
import os
import os.path as osp
from collections import Counter
from typing import List, Optional, Sequence

from densessl.registry import DATASETS
from .base import SplitSegDataset

__all__ = ['FolderSegDataset', 'IMAGE_SUFFIXES', 'find_image_suffix', 'find_mask_suffix']

#: file endings taken for images when the suffix is detected (lower case compared)
IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')
#: colours of the first classes (background black); more classes get mmseg's random palette
_PALETTE = [[0, 0, 0], [255, 255, 255], [230, 25, 75], [60, 180, 75], [255, 225, 25], [0, 130, 200],
            [245, 130, 48], [145, 30, 180], [70, 240, 240], [240, 50, 230]]


def _files(folder: str) -> List[str]:
    out = []
    for root, _, files in os.walk(folder, followlinks=True):
        for f in files:
            out.append(osp.relpath(osp.join(root, f), folder).replace(os.sep, '/'))
    return sorted(out)


def find_image_suffix(img_dir: str) -> str:
    """The one image suffix of ``img_dir`` (recursive), e.g. ``'.jpg'``.

    Raises:
        FileNotFoundError: the folder does not exist.
        ValueError: no image, or several image suffixes (the message lists them: set ``img_suffix``).
    """
    if not osp.isdir(img_dir):
        raise FileNotFoundError(f'image folder not found: {img_dir}')
    counts = Counter(osp.splitext(f)[1] for f in _files(img_dir) if osp.splitext(f)[1].lower() in IMAGE_SUFFIXES)
    if not counts:
        raise ValueError(f'no image ({"/".join(IMAGE_SUFFIXES)}) in {img_dir}')
    if len(counts) > 1:
        found = ', '.join(f'{s!r} ({n})' for s, n in counts.most_common())
        raise ValueError(f'{img_dir} holds images with several suffixes: {found}; set img_suffix in the dataset '
                         'config')
    return next(iter(counts))


def find_mask_suffix(ann_dir: str, names: Sequence[str]) -> str:
    """The mask suffix of ``ann_dir``: the ending that turns the first image name that has a mask into its mask
    file (``'.png'``, ``'_segmentation.png'``, ``'_mask.png'``, ...).

    Args:
        ann_dir (str): mask folder.
        names (sequence of str): image names (relative paths without suffix).

    Raises:
        FileNotFoundError: the folder does not exist.
        ValueError: no mask file starts with any image name, or the endings are ambiguous.
    """
    if not osp.isdir(ann_dir):
        raise FileNotFoundError(f'mask folder not found: {ann_dir}')
    files = _files(ann_dir)
    suffixes = Counter()
    for name in names[:50]:
        for f in files:
            if f.startswith(name) and not f[len(name):len(name) + 1].isalnum():
                suffixes[f[len(name):]] += 1
    if not suffixes:
        raise ValueError(f'no mask in {ann_dir} matches an image name (e.g. {names[0]!r}); set seg_map_suffix in '
                         'the dataset config')
    (best, n), *rest = suffixes.most_common()
    if rest and rest[0][1] == n:
        raise ValueError(f'masks in {ann_dir} match the images with several endings {sorted(suffixes)}; set '
                         'seg_map_suffix in the dataset config')
    return best


@DATASETS.register_module()
class FolderSegDataset(SplitSegDataset):
    """Images and masks in two folders, with the classes given in the config.

    Args:
        classes (sequence of str, optional): class names, background first. Either this or ``num_classes``.
        num_classes (int, optional): number of classes; the names become ``('background', 'class_1', ...)``
            (``('background', 'foreground')`` for 2).
        palette (list, optional): one RGB colour per class. Defaults to black / white / distinct colours.
        binary_masks (bool): the masks are 0 / 255 (most lesion, polyp and cell data sets): 255 is read as class
            1 (mmseg's ``label_map``, applied when the mask is loaded), so ``classes`` must have two entries; any
            other value stops with the file named (JPEG-compressed masks: convert them to 0/1 PNGs first, e.g. with
            ``tools/dataset_converters/kvasir.py``). ``False`` (default): masks hold class indices, 255 = ignore.
        img_suffix (str, optional): image file ending; ``None`` finds the one suffix of the image folder.
        seg_map_suffix (str, optional): mask file ending; ``None`` finds it from the mask folder.
        **kwargs: arguments of :class:`~densessl.datasets.base.SplitSegDataset` (``data_root``, ``data_prefix``,
            ``ann_file``, ``with_label``, ``pipeline``, ``ignore_index``, ...).

    Raises:
        ValueError: neither or both of ``classes`` / ``num_classes`` (unless they agree), fewer than 2 classes,
            ``binary_masks`` with other than 2 classes, suffixes that cannot be found.
        FileNotFoundError: as :class:`~densessl.datasets.base.SplitSegDataset` (missing folder, split, image, mask).
    """

    DOWNLOAD_HINT = ('FolderSegDataset reads data_root joined with data_prefix["img_path"] (images) and '
                     'data_prefix["seg_map_path"] (masks); see "Your own data" in README.md')

    def __init__(self,
                 *args,
                 classes: Optional[Sequence[str]] = None,
                 num_classes: Optional[int] = None,
                 palette: Optional[list] = None,
                 binary_masks: bool = False,
                 img_suffix: Optional[str] = None,
                 seg_map_suffix: Optional[str] = None,
                 **kwargs) -> None:
        classes = self._classes(classes, num_classes)
        if binary_masks and len(classes) != 2:
            raise ValueError(f'FolderSegDataset: binary_masks=True maps 0/255 masks to 2 classes, but {len(classes)} '
                             f'classes are given ({classes})')
        if palette is None:
            palette = _PALETTE[:len(classes)] if len(classes) <= len(_PALETTE) else None
        metainfo = dict(kwargs.pop('metainfo', None) or {})
        metainfo.setdefault('classes', classes)
        if palette is not None:
            metainfo.setdefault('palette', palette)
        self.binary_masks = binary_masks
        self._img_suffix_arg = img_suffix
        self._seg_suffix_arg = seg_map_suffix
        super().__init__(*args, metainfo=metainfo, img_suffix=img_suffix or '', seg_map_suffix=seg_map_suffix or '',
                         **kwargs)

    @staticmethod
    def _classes(classes, num_classes) -> tuple:
        if classes is None and num_classes is None:
            raise ValueError('FolderSegDataset: give classes=(...) (names, background first) or num_classes=N')
        if classes is not None:
            classes = tuple(classes)
            if num_classes is not None and num_classes != len(classes):
                raise ValueError(f'FolderSegDataset: num_classes={num_classes} but {len(classes)} classes are named')
        else:
            if num_classes < 2:
                raise ValueError(f'FolderSegDataset: num_classes must be >= 2, got {num_classes}')
            classes = ('background', 'foreground') if num_classes == 2 else \
                ('background', ) + tuple(f'class_{i}' for i in range(1, num_classes))
        if len(classes) < 2:
            raise ValueError(f'FolderSegDataset: at least 2 classes (background and one more), got {classes}')
        return classes

    def load_data_list(self) -> List[dict]:
        """Find the suffixes (when not given), then list and check the samples as every split dataset does."""
        self._check_dirs()
        if not self._img_suffix_arg:
            self.img_suffix = find_image_suffix(self.data_prefix['img_path'])
        if self.with_label and not self._seg_suffix_arg:
            names = self.sample_names()
            self.seg_map_suffix = find_mask_suffix(self.data_prefix['seg_map_path'], names)
        data_list = super().load_data_list()
        if self.binary_masks:
            for info in data_list:
                info['label_map'] = {255: 1}
                info['mask_ignore_index'] = None
        return data_list
