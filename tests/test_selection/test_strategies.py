"""Selection strategies on tiny hand-made point sets: k-center's farthest point, k-means' nearest-to-centre images,
dense region coverage, budgets, determinism for a seed."""
import numpy as np
import pytest
import torch

from densessl.datasets.splits import make_split
from densessl.selection.strategies import (parse_budget, select, select_as3l, select_coreset, select_dense,
                                           select_kmeans, select_random)


def test_parse_budget_counts_percentages_and_refuses_bad_budgets():
    assert parse_budget(20, 1000) == 20
    assert parse_budget('2%', 1000) == 20
    assert parse_budget('0.05%', 1000) == 1  # at least one image
    assert parse_budget('100%', 7) == 7
    with pytest.raises(ValueError, match='at least 1'):
        parse_budget(0, 10)
    with pytest.raises(ValueError, match='larger than the pool .10 images'):
        parse_budget(11, 10)
    with pytest.raises(ValueError, match='pool of images is empty'):
        parse_budget(1, 0)
    with pytest.raises(ValueError, match='percentage'):
        parse_budget('ten', 10)
    with pytest.raises(ValueError, match='percentage'):
        parse_budget('0%', 10)


def test_random_is_make_splits_draw_and_seeded():
    names = [f'img_{i:03d}' for i in range(50)]
    for seed in (0, 3):
        picks = select_random(len(names), 5, seed).indices
        labeled, _ = make_split(names, num_labeled=5, seed=seed)
        assert sorted(names[i] for i in picks) == labeled
    assert select_random(50, 5, 1).indices == select_random(50, 5, 1).indices
    assert select_random(50, 5, 1).indices != select_random(50, 5, 2).indices


POINTS = torch.tensor([[0., 0.], [1., 0.], [0., 1.], [6., 0.], [0., 4.], [3., 3.]])


def test_coreset_picks_the_farthest_point_each_time():
    # first = nearest to the mean (5/3, 4/3): point 1 (1, 0) at d^2 = 0.44 + 1.78 = 2.22 (point 2: 2.89, point 5:
    # 4.56). Then the farthest from (1, 0): (6, 0) at 5.0 (vs (0, 4) at sqrt 17 = 4.12) -> point 3.
    # Then max over points of min distance to {1, 3}: (0, 4): min(sqrt 17, sqrt 52) = 4.12; (3, 3): min(sqrt 13,
    # sqrt 18) = 3.61 -> point 4. Then (3, 3): min(3.61, 4.24, sqrt 10 = 3.16) vs (0, 1): 1.41 -> point 5.
    sel = select_coreset(POINTS, 4)
    assert sel.indices == [1, 3, 4, 5]
    d = sel.info['per_pick']['distance']
    assert d[0] is None
    assert d[1:] == pytest.approx([5.0, 17**0.5, 10**0.5], abs=1e-5)
    # cover radius: every point's distance to its nearest pick; (0, 1) is 1.41 from (1, 0), (0, 0) 1.0
    assert sel.info['radius'] == pytest.approx(2**0.5, abs=1e-5)
    assert sum(sel.info['per_pick']['cluster_size']) == 6
    # continuing from already labeled images: the farthest from {3} is (0, 4) at sqrt 52
    assert select_coreset(POINTS, 1, selected=[3]).indices == [4]
    assert select_coreset(POINTS, 2, first=0).indices == [0, 3]
    with pytest.raises(ValueError, match=r'budget must be in \[1, 6\]'):
        select_coreset(POINTS, 7)


def test_coreset_reads_a_memmap_in_chunks(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 8)).astype(np.float32)
    mm = np.lib.format.open_memmap(str(tmp_path / 'f.npy'), 'w+', np.float32, x.shape)
    mm[:] = x
    mm.flush()
    a = select_coreset(np.load(str(tmp_path / 'f.npy'), mmap_mode='r'), 10, chunk_size=64)
    b = select_coreset(torch.from_numpy(x), 10)
    assert a.indices == b.indices


def _blobs():
    """Three blobs; each has one point exactly at the blob's mean (indices 2, 7, 12)."""
    pts = []
    for cx, cy in ((0., 0.), (10., 0.), (0., 10.)):
        pts += [[cx - 1, cy], [cx + 1, cy], [cx, cy], [cx, cy - 1], [cx, cy + 1]]
    return torch.tensor(pts)


def test_kmeans_picks_the_image_nearest_each_centre():
    x = _blobs()
    for mb in (False, True):
        sel = select_kmeans(x, 3, seed=0, minibatch=mb, batch_size=8, max_iter=50)
        assert sorted(sel.indices) == [2, 7, 12], mb
        assert sel.info['per_pick']['cluster_size'] == [5, 5, 5]
        # full k-means: the centres are the blob means, on the picked points; mini-batch: near them
        assert max(sel.info['per_pick']['distance']) < (1e-4 if not mb else 0.5)
    # a pool bigger than the budget's clusters: distinct images even when two centres share a nearest image
    sel = select_kmeans(torch.zeros(4, 2), 3)
    assert len(set(sel.indices)) == 3


def test_kmeans_is_deterministic_for_a_seed():
    x = torch.from_numpy(np.random.default_rng(1).normal(size=(200, 6)).astype(np.float32))
    assert select_kmeans(x, 8, seed=3).indices == select_kmeans(x, 8, seed=3).indices
    assert select_kmeans(x, 8, seed=3, minibatch=True, batch_size=32).indices == \
        select_kmeans(x, 8, seed=3, minibatch=True, batch_size=32).indices


def test_as3l_returns_the_budget_of_distinct_medians():
    x = _blobs()
    sel = select_as3l(x, 3, seed=0, num_runs=3)
    assert sorted(sel.indices) == [2, 7, 12]  # medians of the blobs = their centre points
    assert sel.info['medians'] == 3


def _regions():
    """6 images of 2 regions on 4 unit "words": e0 common (8 regions), e1 (2), e2 and e3 rare (1 each)."""
    e = torch.eye(4)
    layout = [(0, 0), (0, 0), (0, 1), (0, 0), (2, 3), (1, 0)]
    return torch.stack([torch.stack([e[a], e[b]]) for a, b in layout])


def test_dense_covers_rare_regions_before_duplicates():
    r = _regions()
    sel = select_dense(r, 2, num_words=4, beta=0.5)
    # gains (beta 0.5): image 2 and 5 cover e0 + e1 = sqrt 8 + sqrt 2; tie -> first (2). Then only image 4 brings new
    # words (e2 + e3 = 1 + 1); plain k-means on pooled features would not prefer it
    assert sel.indices == [2, 4]
    assert sel.info['per_pick']['gain'] == pytest.approx([8**0.5 + 2**0.5, 2.0])
    assert sorted(sel.info['word_sizes']) == [1, 1, 2, 8]
    assert sel.info['weight_covered'] == pytest.approx(1.0)
    # budget 3: every word is covered after two picks; a second round starts and takes image 5 (e0 + e1)
    sel3 = select_dense(r, 3, num_words=4, beta=0.5)
    assert sel3.indices == [2, 4, 5] and sel3.info['rounds'] == 2
    # beta = 0: each word counts 1 -> image 4 (two new words) ties with image 2 and 5 (two words) at the start
    assert select_dense(r, 1, num_words=4, beta=0.0).info['per_pick']['gain'] == [2.0]


def test_dense_on_random_regions_is_seeded_and_memmap_ready(tmp_path):
    rng = np.random.default_rng(0)
    r = rng.normal(size=(40, 4, 8)).astype(np.float16)
    np.save(str(tmp_path / 'r.npy'), r)
    mm = np.load(str(tmp_path / 'r.npy'), mmap_mode='r')
    a = select_dense(mm, 6, seed=1, minibatch=True, batch_size=32)
    b = select_dense(mm, 6, seed=1, minibatch=True, batch_size=32)
    assert a.indices == b.indices and len(set(a.indices)) == 6
    assert a.info['num_words'] == 32 and sum(a.info['word_sizes']) == 160
    with pytest.raises(ValueError, match=r'\(N, R, D\)'):
        select_dense(r[0], 2)


def test_select_dispatch_and_errors():
    x = _blobs()
    assert select('coreset', 2, pooled=x).indices == select_coreset(x, 2).indices
    assert len(select('random', 4, num_images=10).indices) == 4
    with pytest.raises(ValueError, match='unknown strategy'):
        select('entropy', 2, pooled=x)
    with pytest.raises(ValueError, match='needs region features'):
        select('dense', 2, pooled=x)
    with pytest.raises(ValueError, match='needs pooled'):
        select('kmeans', 2, regions=_regions())
