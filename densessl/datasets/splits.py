"""Labeled/unlabeled split files, for segmentation and for classification.

A split lives in ``data/splits/<dataset>/<name>/`` as two text files, ``labeled.txt`` and ``unlabeled.txt``:

- segmentation (``tools/make_splits.py``, :func:`make_split`): one sample **name** per line (the image path
  relative to the image folder, without extension). The number of labeled images of a setting is the number of
  lines in ``labeled.txt``: no config repeats it.
- classification (``tools/make_cls_splits.py``, :func:`make_balanced_split`): one **sample index** of the official
  training set per line, the same number of labeled samples in every class (:func:`read_index_file` reads them).
"""
import os
import os.path as osp
import random
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from densessl.utils.fileio import atomic_write_text

__all__ = [
    'make_split', 'write_split', 'write_split_lines', 'read_split_file', 'make_balanced_split', 'write_index_split',
    'read_index_file'
]


def make_split(names: Sequence[str],
               num_labeled: Optional[int] = None,
               fraction: Optional[float] = None,
               seed: int = 0) -> Tuple[List[str], List[str]]:
    """Choose the labeled subset of ``names`` deterministically.

    The names are sorted first, so the result depends only on the set of names, the count and the seed.

    Args:
        names: every training sample name (order irrelevant, duplicates are an error).
        num_labeled: how many to label. Exactly one of ``num_labeled`` / ``fraction`` is given.
        fraction: share to label, rounded to the nearest integer count, at least 1.
        seed: seed of the random choice.

    Returns:
        (labeled, unlabeled): two sorted lists that partition ``names``.
    """
    if (num_labeled is None) == (fraction is None):
        raise ValueError('give exactly one of num_labeled and fraction')
    ordered = sorted(names)
    if len(set(ordered)) != len(ordered):
        raise ValueError('sample names contain duplicates')
    if not ordered:
        raise ValueError('cannot split an empty list of samples')
    if fraction is not None:
        if not 0 < fraction <= 1:
            raise ValueError(f'fraction must be in (0, 1], got {fraction}')
        num_labeled = max(1, int(round(fraction * len(ordered))))
    if not 0 < num_labeled <= len(ordered):
        raise ValueError(f'num_labeled={num_labeled} is not in [1, {len(ordered)}]')
    chosen = set(random.Random(seed).sample(ordered, num_labeled))
    labeled = [n for n in ordered if n in chosen]
    unlabeled = [n for n in ordered if n not in chosen]
    return labeled, unlabeled


def write_split_lines(out_dir: str, lines: Dict[str, Sequence[str]]) -> None:
    """Write ``<out_dir>/<key>.txt`` for every key of ``lines`` atomically (one name per line)."""
    os.makedirs(out_dir, exist_ok=True)
    for key, names in lines.items():
        atomic_write_text(osp.join(out_dir, key + '.txt'), ''.join(f'{n}\n' for n in names))


def write_split(out_dir: str, labeled: Sequence[str], unlabeled: Sequence[str]) -> None:
    """Write ``labeled.txt`` and ``unlabeled.txt`` into ``out_dir`` atomically (no half-written split)."""
    write_split_lines(out_dir, {'labeled': labeled, 'unlabeled': unlabeled})


def read_split_file(path: str) -> List[str]:
    """Read a split / image-list file: one name per line, blank lines ignored.

    Raises:
        FileNotFoundError: the file does not exist (message names it).
        ValueError: the file lists no sample.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'split file not found: {path} (make it with tools/make_splits.py)')
    with open(path) as f:
        names = [line.strip() for line in f if line.strip()]
    if not names:
        raise ValueError(f'split file is empty: {path}')
    return names


# ---------------------------------------------------------------------------------- classification: sample indices
def read_index_file(path: str, num_samples: Optional[int] = None) -> List[int]:
    """Read a split file of sample indices (one non-negative integer per line).

    Args:
        path (str): the split file.
        num_samples (int, optional): size of the full dataset; every index must be below it.

    Returns:
        list[int]: the indices in file order.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: the file is empty, a line is not an integer, an index is out of range or repeated.
    """
    lines = read_split_file(path)
    indices = []
    for lineno, line in enumerate(lines, 1):
        try:
            idx = int(line)
        except ValueError:
            raise ValueError(f'{path}: line {lineno} is not a sample index: {line!r}') from None
        if idx < 0 or (num_samples is not None and idx >= num_samples):
            raise ValueError(f'{path}: line {lineno}: index {idx} is outside the dataset of {num_samples} samples')
        indices.append(idx)
    if len(set(indices)) != len(indices):
        raise ValueError(f'{path}: lists {len(indices) - len(set(indices))} repeated sample index(es)')
    return indices


def make_balanced_split(labels: Sequence[int], num_labeled: int, seed: int = 0) -> Tuple[List[int], List[int]]:
    """Choose ``num_labeled`` samples with the same number per class (the standard FixMatch splits).

    Args:
        labels (sequence[int]): the class of every training sample.
        num_labeled (int): how many to label; must be a multiple of the number of classes.
        seed (int): seed of the choice (the result depends only on ``labels``, ``num_labeled`` and ``seed``).

    Returns:
        tuple[list[int], list[int]]: sorted labeled and unlabeled indices, a partition of ``range(len(labels))``.

    Raises:
        ValueError: ``num_labeled`` is not a positive multiple of the number of classes, or a class has fewer
            samples than its share.

    Examples:
        >>> make_balanced_split([0, 1, 0, 1, 0, 1], 2, seed=0)[0]
        [2, 3]
    """
    labels = np.asarray(labels, dtype=np.int64)
    classes = np.unique(labels)
    if num_labeled <= 0 or num_labeled % len(classes):
        raise ValueError(f'num_labeled={num_labeled} must be a positive multiple of the {len(classes)} classes')
    per_class = num_labeled // len(classes)
    rng = random.Random(seed)
    labeled: List[int] = []
    for c in classes:
        members = np.flatnonzero(labels == c).tolist()
        if len(members) < per_class:
            raise ValueError(f'class {c} has {len(members)} samples, fewer than the {per_class} to label')
        labeled.extend(rng.sample(members, per_class))
    labeled_set = set(labeled)
    unlabeled = [i for i in range(len(labels)) if i not in labeled_set]
    return sorted(labeled), unlabeled


def write_index_split(out_dir: str, labeled: Sequence[int], unlabeled: Sequence[int]) -> None:
    """Write ``labeled.txt`` / ``unlabeled.txt`` of sample indices into ``out_dir`` (atomically, as
    :func:`write_split`)."""
    write_split(out_dir, [str(int(i)) for i in labeled], [str(int(i)) for i in unlabeled])
