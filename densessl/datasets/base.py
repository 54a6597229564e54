"""Segmentation datasets read through split files, with checks that name the missing file.

:class:`SplitSegDataset` is mmseg's :class:`~mmseg.datasets.BaseSegDataset` whose ``ann_file`` is a split / list
file (see :mod:`densessl.datasets.splits`): one sample name per line, the image path relative to the image folder
without ``img_suffix``. ``ann_file=''`` means every image of ``data_prefix['img_path']`` (scanned recursively,
sorted). With ``with_label=False`` (an unlabeled split) no mask is looked up and ``seg_map_path`` is ``None``.

Every problem found while listing the data raises at once with the path in the message: missing data root
(with the class's ``DOWNLOAD_HINT``), missing image / mask folder, missing or empty split file, and images or masks
that the split names but that do not exist.
"""
import os
import os.path as osp
from typing import List, Sequence

from mmseg.datasets import BaseSegDataset

from densessl.registry import DATASETS
from .splits import read_split_file

#: how many missing files an error message lists before summarising the rest
_MAX_LISTED = 10


def _format_missing(paths: Sequence[str]) -> str:
    shown = '\n'.join(f'  {p}' for p in paths[:_MAX_LISTED])
    more = len(paths) - _MAX_LISTED
    return shown + (f'\n  ... and {more} more' if more > 0 else '')


@DATASETS.register_module()
class SplitSegDataset(BaseSegDataset):
    """Semantic segmentation dataset listed by a split file.

    Args:
        *args: positional arguments of :class:`mmseg.datasets.BaseSegDataset` (``ann_file`` first).
        with_label (bool): whether the samples have masks. ``False`` for an unlabeled split: no mask folder or
            file is needed and each data info has ``seg_map_path=None``. Defaults to True.
        **kwargs: keyword arguments of :class:`mmseg.datasets.BaseSegDataset` (``ann_file``, ``data_root``,
            ``data_prefix=dict(img_path=..., seg_map_path=...)``, ``img_suffix``, ``seg_map_suffix``,
            ``metainfo``, ``pipeline``, ``test_mode``, ``reduce_zero_label``, ``ignore_index``, ...).

    Each data info holds ``img_path``, ``seg_map_path`` (``None`` when unlabeled), ``sample_name`` (the split
    file's line), ``num_classes`` and ``mask_ignore_index`` (``ignore_index``, or ``None`` when the class sets
    ``MASK_HAS_IGNORE = False``; both read by :class:`~densessl.datasets.transforms.LoadCheckedAnnotations` to
    check mask values), ``label_map``, ``reduce_zero_label`` and ``seg_fields``.

    Raises:
        FileNotFoundError: data root, image folder, mask folder, split file, an image or a mask is missing.
            A relative ``ann_file`` is looked up under ``data_root`` first, then from the working directory.
        ValueError: the split file is empty, or ``ann_file=''`` and the image folder holds no image.
    """

    #: how to obtain / convert the data; subclasses say it for their dataset
    DOWNLOAD_HINT: str = 'see the "Data" section of docs/usage.md for how to get and convert it'
    #: whether masks may hold ``ignore_index`` pixels; when False the mask check rejects them (a dataset without
    #: an ignore label, whose unconverted masks would otherwise pass as "all ignored")
    MASK_HAS_IGNORE: bool = True
    #: default ``img_suffix`` / ``seg_map_suffix`` of the dataset's layout (subclasses set theirs)
    IMG_SUFFIX: str = '.jpg'
    SEG_MAP_SUFFIX: str = '.png'

    def __init__(self, *args, with_label: bool = True, **kwargs) -> None:
        kwargs.setdefault('img_suffix', self.IMG_SUFFIX)
        kwargs.setdefault('seg_map_suffix', self.SEG_MAP_SUFFIX)
        self.with_label = with_label
        self._ann_file_arg = kwargs.get('ann_file', args[0] if args else '')
        super().__init__(*args, **kwargs)

    @property
    def num_classes(self) -> int:
        """Number of classes of the (possibly custom) ``metainfo['classes']``."""
        return len(self._metainfo.get('classes', ()))

    def _check_dirs(self) -> None:
        name = type(self).__name__
        if self.data_root is not None and not osp.isdir(self.data_root):
            raise FileNotFoundError(f'{name}: data root not found: {self.data_root}\n{self.DOWNLOAD_HINT}')
        img_dir = self.data_prefix.get('img_path', '')
        if not img_dir or not osp.isdir(img_dir):
            raise FileNotFoundError(f'{name}: image folder not found: {img_dir!r} '
                                    "(data_root joined with data_prefix['img_path'])\n" + self.DOWNLOAD_HINT)
        if self.with_label:
            ann_dir = self.data_prefix.get('seg_map_path', '')
            if not ann_dir or not osp.isdir(ann_dir):
                raise FileNotFoundError(
                    f'{name}: mask folder not found: {ann_dir!r} (data_root joined with '
                    "data_prefix['seg_map_path']); for an unlabeled split set with_label=False\n" +
                    self.DOWNLOAD_HINT)

    def _scan_names(self, img_dir: str) -> List[str]:
        """Every image of ``img_dir`` (recursive) as sample names, sorted."""
        suffix = self.img_suffix
        names = []
        for root, _, files in os.walk(img_dir, followlinks=True):
            for fname in files:
                if fname.endswith(suffix):
                    rel = osp.relpath(osp.join(root, fname), img_dir)
                    names.append(rel[:-len(suffix)].replace(os.sep, '/'))
        if not names:
            raise ValueError(f'{type(self).__name__}: no image ending with {suffix!r} in {img_dir}')
        return sorted(names)

    def _resolve_ann_file(self) -> str:
        """``ann_file`` joined with ``data_root`` (mmengine's rule), or, when no such file exists, the relative
        path as given, from the working directory (``data/splits/...`` next to ``data/<dataset>``)."""
        if osp.isfile(self.ann_file):
            return self.ann_file
        raw = self._ann_file_arg
        if raw and raw != self.ann_file and not osp.isabs(raw):
            if osp.isfile(raw):
                return raw
            raise FileNotFoundError(f'split file not found: {self.ann_file} (nor {raw} from the working directory '
                                    f'{os.getcwd()}); make it with tools/make_splits.py')
        return self.ann_file

    def sample_names(self) -> List[str]:
        """Names listed by ``ann_file`` (or found in the image folder when ``ann_file`` is empty)."""
        if self.ann_file:
            self.ann_file = self._resolve_ann_file()
            return read_split_file(self.ann_file)
        return self._scan_names(self.data_prefix['img_path'])

    def load_data_list(self) -> List[dict]:
        """List the samples, checking that every named file exists.

        Returns:
            list[dict]: one data info per sample, in split-file order.
        """
        self._check_dirs()
        img_dir = self.data_prefix['img_path']
        ann_dir = self.data_prefix.get('seg_map_path', '') if self.with_label else None
        names = self.sample_names()
        source = self.ann_file or f'the scan of {img_dir}'

        data_list, missing_imgs, missing_masks = [], [], []
        for name in names:
            img_path = osp.join(img_dir, name + self.img_suffix)
            if not osp.isfile(img_path):
                missing_imgs.append(img_path)
            seg_map_path = None
            if ann_dir is not None:
                seg_map_path = osp.join(ann_dir, name + self.seg_map_suffix)
                if not osp.isfile(seg_map_path):
                    missing_masks.append(seg_map_path)
            data_list.append(
                dict(
                    img_path=img_path,
                    seg_map_path=seg_map_path,
                    sample_name=name,
                    num_classes=self.num_classes,
                    mask_ignore_index=self.ignore_index if self.MASK_HAS_IGNORE else None,
                    label_map=self.label_map,
                    reduce_zero_label=self.reduce_zero_label,
                    seg_fields=[]))
        cls = type(self).__name__
        if missing_imgs:
            raise FileNotFoundError(f'{cls}: {len(missing_imgs)} image(s) listed by {source} do not exist:\n' +
                                    _format_missing(missing_imgs))
        if missing_masks:
            raise FileNotFoundError(
                f'{cls}: {len(missing_masks)} mask file(s) listed by {source} do not exist:\n' +
                _format_missing(missing_masks) + '\n(for an unlabeled split set with_label=False)')
        return data_list
