"""Labeled/unlabeled split files.

A split lives in ``data/splits/<dataset>/<name>/`` as two text files, ``labeled.txt`` and ``unlabeled.txt``, one
sample name per line (the image path relative to the image folder, without extension). The number of labeled
images of a setting is the number of lines in ``labeled.txt``: no config repeats it.
"""
import os
import os.path as osp
import random
from typing import List, Optional, Sequence, Tuple


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


def write_split(out_dir: str, labeled: Sequence[str], unlabeled: Sequence[str]) -> None:
    """Write ``labeled.txt`` and ``unlabeled.txt`` into ``out_dir`` atomically (no half-written split)."""
    os.makedirs(out_dir, exist_ok=True)
    for fname, names in (('labeled.txt', labeled), ('unlabeled.txt', unlabeled)):
        path = osp.join(out_dir, fname)
        tmp = path + '.tmp'
        with open(tmp, 'w') as f:
            f.write(''.join(f'{n}\n' for n in names))
        os.replace(tmp, path)


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
