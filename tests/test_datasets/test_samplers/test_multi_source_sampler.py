import itertools
from unittest import mock

import pytest
from torch.utils.data import ConcatDataset

from densessl.datasets.samplers import MultiSourceSampler


def _concat(n_labeled=5, n_unlabeled=23):
    return ConcatDataset([list(range(n_labeled)), list(range(n_unlabeled))])


def _batches(sampler, batch_size, n):
    it = iter(sampler)
    return [[next(it) for _ in range(batch_size)] for _ in range(n)]


def test_every_batch_has_the_ratio_and_each_source_cycles_fully():
    ds = _concat(5, 23)
    batches = _batches(MultiSourceSampler(ds, batch_size=8, source_ratio=[1, 3], seed=0), 8, 60)
    for b in batches:
        assert sum(i < 5 for i in b) == 2 and sum(i >= 5 for i in b) == 6
        assert all(i < 5 for i in b[:2])  # labeled first, then unlabeled
    labeled = [i for b in batches for i in b if i < 5]
    unlabeled = [i - 5 for b in batches for i in b if i >= 5]
    # every pass over a source is a permutation of it
    for k in range(len(labeled) // 5):
        assert sorted(labeled[5 * k:5 * k + 5]) == list(range(5))
    for k in range(len(unlabeled) // 23):
        assert sorted(unlabeled[23 * k:23 * k + 23]) == list(range(23))
    # passes are shuffled differently
    assert labeled[:5] != labeled[5:10] or labeled[5:10] != labeled[10:15]


def test_deterministic_from_seed():
    ds = _concat()
    a = _batches(MultiSourceSampler(ds, 4, [1, 1], seed=3), 4, 20)
    b = _batches(MultiSourceSampler(ds, 4, [1, 1], seed=3), 4, 20)
    c = _batches(MultiSourceSampler(ds, 4, [1, 1], seed=4), 4, 20)
    assert a == b and a != c


def test_no_shuffle_is_sequential():
    ds = _concat(3, 4)
    b = _batches(MultiSourceSampler(ds, 2, [1, 1], shuffle=False, seed=0), 2, 5)
    assert b == [[0, 3], [1, 4], [2, 5], [0, 6], [1, 3]]


def test_ranks_draw_disjoint_samples_of_one_stream():
    ds = _concat(6, 40)
    streams = []
    for rank in range(2):
        with mock.patch('densessl.datasets.samplers.multi_source_sampler.get_dist_info', return_value=(rank, 2)):
            s = MultiSourceSampler(ds, 4, [1, 1], seed=7)
        streams.append(_batches(s, 4, 3))
    with mock.patch('densessl.datasets.samplers.multi_source_sampler.get_dist_info', return_value=(0, 1)):
        single = MultiSourceSampler(ds, 4, [1, 1], seed=7)
    full_unlabeled = list(itertools.islice(single._infinite_indices(1), 12))
    got = [[i - 6 for b in st for i in b if i >= 6] for st in streams]
    assert got[0] == full_unlabeled[0::2] and got[1] == full_unlabeled[1::2]
    assert not set(got[0]) & set(got[1])


def test_errors():
    with pytest.raises(TypeError, match='ConcatDataset'):
        MultiSourceSampler(list(range(4)), 2, [1, 1])
    with pytest.raises(ValueError, match='entries'):
        MultiSourceSampler(_concat(), 2, [1, 1, 1])
    with pytest.raises(ValueError, match='no sample'):
        MultiSourceSampler(_concat(), 2, [9, 1])
    with pytest.raises(ValueError, match='empty'):
        MultiSourceSampler(ConcatDataset([[], [1, 2]]), 2, [1, 1])
    with pytest.raises(ValueError, match='batch_size'):
        MultiSourceSampler(_concat(), 0, [1, 1])
