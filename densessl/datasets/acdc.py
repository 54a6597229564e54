"""ACDC cardiac MRI in the SSL4MIS / UniMatch layout: h5 slices for training, h5 volumes for evaluation.

Layout (``data_root = data/ACDC``)::

    data/slices/patientNNN_frameNN_slice_K.h5    image (H, W) float in [0, 1], label (H, W) uint8 0..3
    data/patientNNN_frameNN.h5                   image (D, H, W),               label (D, H, W)

Split files (``data/splits/acdc/{1,3,7}/labeled.txt``, ``unlabeled.txt``; ``data/splits/acdc/val.txt``,
``test.txt``) are UniMatch's: one h5 path relative to ``data_root`` per line, slices for training, volumes for
evaluation. The labeled cases are the first 1 / 3 / 7 patients of SSL4MIS's ``train_slices.list`` (32 / 68 / 136
slices), the rest of the 70 training patients (1312 slices in all) are unlabeled; 10 validation and 20 test
patients, two frames (end-diastole, end-systole) each. :data:`ACDC_TRAIN_CASES` holds that table and
:func:`acdc_split_lines` writes the files (``python tools/make_splits.py acdc``), so numbers compare with the
field's (UniMatch README, mean Dice over RV / Myo / LV per volume).

Data flow of an evaluation volume::

    val.txt line data/patient028_frame01.h5  ->  D data infos (slice_index 0..D-1, volume_id, num_slices)
      -> LoadH5ImageFromFile -> Resize to the training size -> LoadH5Annotations (original size) -> PackSegInputs
      -> model.predict (logits resized back to the slice's original size)
      -> VolumeMetric: slices regrouped by volume_id -> Dice / HD95 per class per volume -> mean over volumes
"""
import os
import os.path as osp
from typing import Dict, List, Tuple

import numpy as np

from densessl.registry import DATASETS
from densessl.utils.demo_scenes import DEMO_CLASSES, DEMO_PALETTE
from densessl.utils.fileio import atomic_dir
from .base import SplitSegDataset, _format_missing

__all__ = [
    'H5SegDataset', 'ACDCDataset', 'DemoACDCDataset', 'ACDC_TRAIN_CASES', 'ACDC_VAL_CASES', 'ACDC_TEST_CASES',
    'acdc_split_lines', 'write_h5_layout'
]

#: the 70 ACDC training patients in the order of SSL4MIS's ``train_slices.list`` / UniMatch's
#: ``splits/acdc/train_slices.txt`` (the first N are the labeled cases of the N-case settings), with the number of
#: slice files per frame (both frames of a patient have the same number, numbered 1..n)
ACDC_TRAIN_CASES: Tuple[Tuple[str, int], ...] = tuple(
    (f'patient{p}', int(n)) for p, n in (x.split(':') for x in (
        '099:16 038:8 050:10 100:8 058:9 021:10 049:7 020:8 072:8 040:10 060:9 089:6 004:10 056:9 098:7 096:18 '
        '031:10 018:8 094:10 047:9 048:8 055:9 097:8 074:8 043:12 041:6 063:8 037:7 095:14 054:8 026:10 088:16 '
        '032:10 069:7 006:11 071:10 012:10 073:7 061:9 017:9 025:9 010:10 057:8 029:11 051:10 005:10 036:8 046:9 '
        '062:10 034:10 076:8 092:15 070:6 077:8 067:10 003:10 091:8 016:10 014:10 044:9 042:9 090:7 053:7 027:10 '
        '035:13 086:7 023:9 009:10 079:9 015:9').split()))
#: validation and test patients, in the order of UniMatch's ``val.txt`` / ``test.txt`` (SSL4MIS ``val.list`` /
#: ``test.list``)
ACDC_VAL_CASES = tuple(f'patient{p}' for p in '028 085 082 087 019 030 078 045 002 039'.split())
ACDC_TEST_CASES = tuple(f'patient{p}' for p in (
    '011 013 084 033 093 022 068 024 083 081 080 001 007 066 008 065 075 064 059 052').split())
ACDC_CLASSES = ('background', 'RV', 'Myo', 'LV')
ACDC_PALETTE = [[0, 0, 0], [230, 25, 75], [60, 180, 75], [0, 130, 200]]


def acdc_split_lines(num_cases: int) -> Dict[str, List[str]]:
    """The lines of UniMatch's ACDC split files for ``num_cases`` labeled patients.

    Args:
        num_cases (int): labeled patients (1, 3, 7 in the field; 1 to 69).

    Returns:
        dict: ``labeled``, ``unlabeled`` (slice files), ``val``, ``test`` (volume files), each a list of paths
        relative to the ACDC root.

    Examples:
        >>> lines = acdc_split_lines(1)
        >>> len(lines['labeled']), len(lines['unlabeled']), len(lines['val']), len(lines['test'])
        (32, 1280, 20, 40)
        >>> lines['labeled'][0], lines['val'][0]
        ('data/slices/patient099_frame01_slice_1.h5', 'data/patient028_frame01.h5')
    """
    if not 1 <= num_cases < len(ACDC_TRAIN_CASES):
        raise ValueError(f'num_cases must be in [1, {len(ACDC_TRAIN_CASES) - 1}], got {num_cases}')

    def slices(cases):
        return [f'data/slices/{p}_frame{f:02d}_slice_{k}.h5' for p, n in cases for f in (1, 2)
                for k in range(1, n + 1)]

    def volumes(cases):
        return [f'data/{p}_frame{f:02d}.h5' for p in cases for f in (1, 2)]

    return dict(labeled=slices(ACDC_TRAIN_CASES[:num_cases]), unlabeled=slices(ACDC_TRAIN_CASES[num_cases:]),
                val=volumes(ACDC_VAL_CASES), test=volumes(ACDC_TEST_CASES))


@DATASETS.register_module()
class H5SegDataset(SplitSegDataset):
    """Segmentation data stored as h5 files: 2D slices, or 3D volumes read slice by slice.

    Each line of ``ann_file`` is an h5 file relative to ``data_prefix['img_path']`` (itself relative to
    ``data_root``), with or without the ``.h5`` suffix; ``ann_file=''`` lists every ``*.h5`` of that folder.

    Args:
        volumes (bool): the files are volumes ``(D, H, W)``: each gives ``D`` samples with ``slice_index`` 0..D-1,
            ``volume_id`` (the file name without ``.h5``) and ``num_slices`` (``D``), which
            :class:`~densessl.evaluation.VolumeMetric` uses to rebuild the volume. The shapes are read from the
            files when the dataset is built. ``False`` (default): each file is one 2D slice.
        image_key (str): dataset name of the image in the files. Defaults to ``'image'``.
        label_key (str): dataset name of the label. Defaults to ``'label'``.
        **kwargs: arguments of :class:`~densessl.datasets.base.SplitSegDataset` (``ann_file``, ``data_root``,
            ``with_label``, ``metainfo``, ``pipeline``, ...).

    Raises:
        FileNotFoundError: data root, split file or a listed file missing (all missing files are listed).
        ValueError: empty split; a volume whose image is not 3D or whose label shape differs from the image's.
    """

    IMG_SUFFIX = '.h5'
    SEG_MAP_SUFFIX = '.h5'
    MASK_HAS_IGNORE = False

    def __init__(self, *args, volumes: bool = False, image_key: str = 'image', label_key: str = 'label',
                 **kwargs) -> None:
        self.volumes = volumes
        self.image_key = image_key
        self.label_key = label_key
        super().__init__(*args, **kwargs)

    def _check_dirs(self) -> None:
        name = type(self).__name__
        if self.data_root is not None and not osp.isdir(self.data_root):
            raise FileNotFoundError(f'{name}: data root not found: {self.data_root}\n{self.DOWNLOAD_HINT}')
        root = self.data_prefix.get('img_path', '')
        if root and not osp.isdir(root):
            raise FileNotFoundError(f'{name}: folder not found: {root!r}\n{self.DOWNLOAD_HINT}')

    def _volume_depth(self, path: str) -> int:
        import h5py
        try:
            with h5py.File(path, 'r') as f:
                keys = [self.image_key] + ([self.label_key] if self.with_label else [])
                missing = [k for k in keys if k not in f]
                if missing:
                    raise KeyError(f'h5 file {path} has no dataset(s) {missing} (it has: {sorted(f.keys())})')
                shape = tuple(f[self.image_key].shape)
                if len(shape) != 3:
                    raise ValueError(f'h5 file {path}: {self.image_key!r} has shape {shape}, expected a volume '
                                     '(D, H, W); list 2D slice files in a dataset with volumes=False')
                if self.with_label and tuple(f[self.label_key].shape) != shape:
                    raise ValueError(f'h5 file {path}: {self.label_key!r} has shape {tuple(f[self.label_key].shape)}'
                                     f' but {self.image_key!r} has shape {shape}')
                return shape[0]
        except (KeyError, ValueError):
            raise
        except Exception as e:
            raise ValueError(f'cannot read h5 file {path} (corrupt or not HDF5): {type(e).__name__}: {e}') from e

    def load_data_list(self) -> List[dict]:
        """One data info per slice (per file for slice files, per slice of each volume with ``volumes=True``)."""
        self._check_dirs()
        root = self.data_prefix.get('img_path', '') or ''
        names = [n[:-3] if n.endswith('.h5') else n for n in self.sample_names()]
        source = self.ann_file or f'the scan of {root}'
        paths = [osp.join(root, n + '.h5') for n in names]
        missing = [p for p in paths if not osp.isfile(p)]
        if missing:
            raise FileNotFoundError(f'{type(self).__name__}: {len(missing)} h5 file(s) listed by {source} do not '
                                    f'exist:\n{_format_missing(missing)}\n{self.DOWNLOAD_HINT}')
        common = dict(num_classes=self.num_classes, mask_ignore_index=self.ignore_index if self.MASK_HAS_IGNORE
                      else None, label_map=self.label_map, reduce_zero_label=self.reduce_zero_label, seg_fields=[])
        data_list = []
        for name, path in zip(names, paths):
            volume_id = osp.basename(name)
            seg = path if self.with_label else None
            if not self.volumes:
                data_list.append(dict(img_path=path, seg_map_path=seg, sample_name=name, slice_index=None,
                                      volume_id=volume_id, **common))
                continue
            depth = self._volume_depth(path)
            for k in range(depth):
                data_list.append(dict(img_path=path, seg_map_path=seg, sample_name=f'{name}_slice{k}',
                                      slice_index=k, volume_id=volume_id, num_slices=depth, **common))
        return data_list


@DATASETS.register_module()
class ACDCDataset(H5SegDataset):
    """ACDC (Automated Cardiac Diagnosis Challenge, MICCAI 2017) in the SSL4MIS / UniMatch h5 layout: 4 classes
    (background, right ventricle, myocardium, left ventricle); 70 training patients (1312 slices), 10 validation and
    20 test patients (two frames each, evaluated as volumes).

    See the module docstring for the layout and the splits. Args as :class:`H5SegDataset`; ``volumes=True`` for the
    validation / test lists.
    """

    METAINFO = dict(classes=ACDC_CLASSES, palette=ACDC_PALETTE)
    DOWNLOAD_HINT = (
        'Get the preprocessed ACDC h5 files of SSL4MIS / UniMatch (the ACDC challenge data as '
        'data/slices/patientNNN_frameNN_slice_K.h5 training slices and data/patientNNN_frameNN.h5 volumes; see the '
        'data/ACDC section of the SSL4MIS repository or the medical section of the UniMatch README), and unpack '
        'them so that data/ACDC/data/slices/ exists. The split files are in data/splits/acdc/ '
        '(python tools/make_splits.py acdc rewrites them).')


@DATASETS.register_module()
class DemoACDCDataset(ACDCDataset):
    """The demo scenes in the ACDC h5 layout (``data/demo_acdc``): one-channel slices of the Fashion-MNIST scenes
    stacked into small volumes, 5 classes (background, t-shirt, trouser, sneaker, bag). Written by
    ``python tools/misc/make_demo_data.py --h5``."""

    METAINFO = dict(classes=DEMO_CLASSES, palette=DEMO_PALETTE)
    DOWNLOAD_HINT = ('Generate it (offline, seconds) with `python tools/misc/make_demo_data.py --h5` (needs the '
                     'Debian package dataset-fashion-mnist; tools/setup_env.sh installs it).')


def write_h5_layout(out_root: str, volumes: Dict[str, Tuple[np.ndarray, np.ndarray]], overwrite: bool = False,
                    first_slice: int = 1) -> Dict[str, List[str]]:
    """Write volumes in the ACDC h5 layout: every volume as ``data/<name>.h5`` and each of its slices as
    ``data/slices/<name>_slice_<k>.h5`` (``k`` from ``first_slice``), atomically (a temporary folder renamed at the
    end).

    Args:
        out_root (str): destination folder (the ``data_root`` of :class:`H5SegDataset`); must not exist unless
            ``overwrite``.
        volumes (dict): name -> ``(image, label)``, ``(D, H, W)`` float image and integer label each.
        overwrite (bool): replace an existing ``out_root``.
        first_slice (int): number of the first slice file (ACDC's files start at 1). Defaults to 1.

    Returns:
        dict: volume name -> the slice files written (relative to ``out_root``), in slice order.

    Raises:
        FileExistsError: ``out_root`` exists and ``overwrite`` is False.
        ValueError: an image is not 3D or its label has another shape.
    """
    import h5py
    if osp.exists(out_root) and not overwrite:
        raise FileExistsError(f'{out_root} exists; pass overwrite=True to replace it')
    for name, (image, label) in volumes.items():
        if np.ndim(image) != 3 or np.shape(label) != np.shape(image):
            raise ValueError(f'volume {name}: image {np.shape(image)} and label {np.shape(label)} must be the same '
                             '(D, H, W) shape')
    written = {}
    with atomic_dir(out_root, prefix='.h5layout-') as tmp:
        os.makedirs(osp.join(tmp, 'data', 'slices'))
        for name, (image, label) in volumes.items():
            image = np.asarray(image, np.float32)
            label = np.asarray(label, np.uint8)
            with h5py.File(osp.join(tmp, 'data', name + '.h5'), 'w') as f:
                f.create_dataset('image', data=image, compression='gzip')
                f.create_dataset('label', data=label, compression='gzip')
            written[name] = []
            for k in range(image.shape[0]):
                rel = osp.join('data', 'slices', f'{name}_slice_{k + first_slice}.h5')
                with h5py.File(osp.join(tmp, rel), 'w') as f:
                    f.create_dataset('image', data=image[k])
                    f.create_dataset('label', data=label[k])
                written[name].append(rel)
    return written
