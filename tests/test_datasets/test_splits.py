"""Split files: make_split / write_split / read_split_file (sample names, segmentation) and make_balanced_split /
write_index_split / read_index_file (sample indices, classification)."""
import re

import numpy as np
import pytest

from densessl.datasets.splits import (make_balanced_split, make_split, read_index_file, read_split_file,
                                      write_index_split, write_split)


def test_make_split_partitions_and_is_deterministic():
    names = [f'img_{i:03d}' for i in range(100)]
    lab, unlab = make_split(names, num_labeled=10, seed=3)
    assert len(lab) == 10 and len(unlab) == 90
    assert sorted(lab + unlab) == names and not set(lab) & set(unlab)
    assert lab == sorted(lab) and unlab == sorted(unlab)
    # order of the input does not matter, the seed does
    assert make_split(list(reversed(names)), num_labeled=10, seed=3) == (lab, unlab)
    assert make_split(names, num_labeled=10, seed=4)[0] != lab


def test_make_split_fraction_rounds_and_keeps_one():
    names = [str(i) for i in range(10582)]
    assert len(make_split(names, fraction=0.01)[0]) == 106
    assert len(make_split(names, fraction=0.05)[0]) == 529
    assert len(make_split(['a', 'b', 'c'], fraction=0.01)[0]) == 1


@pytest.mark.parametrize('kwargs,msg', [
    (dict(), 'exactly one'),
    (dict(num_labeled=1, fraction=0.5), 'exactly one'),
    (dict(num_labeled=0), 'not in'),
    (dict(num_labeled=6), 'not in'),
    (dict(fraction=1.5), 'fraction'),
])
def test_make_split_bad_amounts(kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        make_split(['a', 'b', 'c', 'd', 'e'], **kwargs)


def test_make_split_rejects_duplicates_and_empty():
    with pytest.raises(ValueError, match='duplicates'):
        make_split(['a', 'a', 'b'], num_labeled=1)
    with pytest.raises(ValueError, match='empty'):
        make_split([], num_labeled=1)


def test_write_then_read_round_trip(tmp_path):
    write_split(str(tmp_path / 's'), ['a/x', 'b/y'], ['c/z'])
    assert read_split_file(str(tmp_path / 's' / 'labeled.txt')) == ['a/x', 'b/y']
    assert read_split_file(str(tmp_path / 's' / 'unlabeled.txt')) == ['c/z']
    assert not list((tmp_path / 's').glob('*.tmp'))


def test_read_split_file_errors_name_the_file(tmp_path):
    missing = str(tmp_path / 'none.txt')
    with pytest.raises(FileNotFoundError, match=re.escape(missing)):
        read_split_file(missing)
    empty = tmp_path / 'empty.txt'
    empty.write_text('  \n\n')
    with pytest.raises(ValueError, match='empty'):
        read_split_file(str(empty))
    padded = tmp_path / 'padded.txt'
    padded.write_text(' a \n\nb\n')
    assert read_split_file(str(padded)) == ['a', 'b']


# ------------------------------------------------------------------------------ classification: sample indices
def test_read_index_file_errors(tmp_path):
    p = tmp_path / 's.txt'
    p.write_text('1\n2\n')
    assert read_index_file(str(p), 3) == [1, 2]
    p.write_text('1\nabc\n')
    with pytest.raises(ValueError, match=r's.txt: line 2 is not a sample index'):
        read_index_file(str(p), 3)
    p.write_text('1\n3\n')
    with pytest.raises(ValueError, match='index 3 is outside the dataset of 3'):
        read_index_file(str(p), 3)
    p.write_text('1\n1\n')
    with pytest.raises(ValueError, match='repeated'):
        read_index_file(str(p), 3)
    with pytest.raises(FileNotFoundError, match='missing.txt'):
        read_index_file(str(tmp_path / 'missing.txt'))


def test_make_balanced_split():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, size=2000)
    labeled, unlabeled = make_balanced_split(labels, 40, seed=3)
    assert len(labeled) == 40 and np.bincount(labels[labeled], minlength=10).tolist() == [4] * 10
    assert sorted(labeled + unlabeled) == list(range(2000))
    assert make_balanced_split(labels, 40, seed=3) == (labeled, unlabeled)
    assert make_balanced_split(labels, 40, seed=4)[0] != labeled
    with pytest.raises(ValueError, match='multiple of the 10 classes'):
        make_balanced_split(labels, 45)
    with pytest.raises(ValueError, match='class 1 has 1 samples'):
        make_balanced_split([0, 0, 1, 2, 2], 6)


def test_write_index_split(tmp_path):
    write_index_split(str(tmp_path / 'a'), [3, 1], [0, 2])
    assert (tmp_path / 'a' / 'labeled.txt').read_text() == '3\n1\n'
    assert read_index_file(str(tmp_path / 'a' / 'unlabeled.txt')) == [0, 2]
    assert sorted(p.name for p in (tmp_path / 'a').iterdir()) == ['labeled.txt', 'unlabeled.txt']  # no temp files
