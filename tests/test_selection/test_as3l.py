"""AS3L's selection and prior (densessl.selection.as3l): constrained k-means keeps the labeled samples fixed, the
active selection is deterministic and picks cluster medians, six clusterings by default, feature fine-tuning is
the MSE minimiser. (The classifier that fuses the prior: tests/test_models/test_classifiers/test_as3l.py.)"""
import pytest
import torch
import torch.nn.functional as F

import densessl.selection.as3l as as3l_api
from densessl.selection.as3l import (active_selection, cluster_medians, consistent_clusters, constrained_kmeans,
                                     default_ks, finetune_features, propagate_prior, select_and_propagate)


def _blobs(centres, per=10, spread=0.3, seed=0):
    gen = torch.Generator().manual_seed(seed)
    pts = [torch.tensor(c, dtype=torch.float64) + spread * torch.randn(per, len(c), generator=gen,
                                                                       dtype=torch.float64) for c in centres]
    return torch.cat(pts)


def test_constrained_kmeans_keeps_seed_labels_fixed():
    x = _blobs([(0., 0.), (10., 0.)])  # samples 0..9 near (0, 0), 10..19 near (10, 0)
    # sample 11 lies in the second blob but is labeled with the first blob's class: it must stay there
    seeds, labels = [0, 10, 11], [4, 1, 4]
    for k in (2, 3, 5):
        assign, cls = constrained_kmeans(x, seeds, labels, k, normalize=False, seed=k, propagate_unlabeled=True)
        assert cls.shape == (k, ) and assign.shape == (20, )
        assert cls[assign[torch.tensor(seeds)]].tolist() == labels
        assert sorted(set(cls.tolist())) == [1, 4]
        others = [i for i in range(20) if i not in seeds]
        assert all(cls[assign[i]] == (4 if i < 10 else 1) for i in others)
        # AS3L: the K - 2 clusters without a labeled sample get no class (-1); the seeds keep theirs
        assign, cls = constrained_kmeans(x, seeds, labels, k, normalize=False, seed=k)
        assert cls.tolist() == [1, 4] + [-1] * (k - 2)
        assert cls[assign[torch.tensor(seeds)]].tolist() == labels
    with pytest.raises(ValueError, match='num_clusters'):
        constrained_kmeans(x, seeds, labels, 1, normalize=False)
    with pytest.raises(ValueError, match='more than once'):
        constrained_kmeans(x, [0, 0], [1, 2], 2)
    with pytest.raises(ValueError, match='same length'):
        constrained_kmeans(x, [0, 1], [1], 2)


def test_constrained_kmeans_hand_computed_centres():
    x = torch.tensor([[0.], [0.2], [1.], [5.], [5.2]])
    assign, cls = constrained_kmeans(x, [0, 2], [3, 7], 2, normalize=False)
    # sample 2 (at 1.0) is nearer to class 3's centre (0.1) than to class 7's ((1 + 5 + 5.2) / 3), yet stays
    assert cls[assign].tolist() == [3, 3, 7, 7, 7] and assign.tolist() == [0, 0, 1, 1, 1]


def test_propagated_prior_rows():
    x = _blobs([(0., 0.), (10., 0.), (0., 10.)])
    seeds, labels = [0, 10, 20], [2, 0, 1]
    prior = propagate_prior(x, seeds, labels, num_classes=4, ks=(3, 4, 6, 100), normalize=False,
                            propagate_unlabeled=True)
    assert prior.shape == (30, 4) and prior.dtype == torch.float32
    assert torch.allclose(prior.sum(1), torch.ones(30))
    # well separated blobs: every K (100 > N is skipped) puts each blob with its seed's class
    expected = torch.zeros(30, 4)
    expected[:10, 2] = expected[10:20, 0] = expected[20:, 1] = 1
    assert torch.equal(prior, expected)
    # an ambiguous point halfway between two blobs gets a split vote (share of the K values)
    x2 = torch.cat([x, torch.tensor([[5., 0.]], dtype=torch.float64)])
    p = propagate_prior(x2, seeds, labels, 4, ks=(3, 4, 5, 6, 8), normalize=False, propagate_unlabeled=True)[30]
    assert p.sum().item() == pytest.approx(1.0) and p[1] == 0 and p[3] == 0
    with pytest.raises(ValueError, match='seed_labels'):
        propagate_prior(x, seeds, [0, 1, 9], num_classes=4)


def test_clusters_without_a_labeled_sample_are_left_unpropagated():
    """Seed 002: clusters without a labeled sample propagate nothing; a sample's prior is the share of the
    clusterings whose cluster of it holds a labeled sample."""
    x = torch.tensor([[0.], [0.1], [0.2], [5.], [5.1], [9.], [9.1]])
    seeds, labels = [0, 3], [0, 1]
    # K = 2: every sample in a labeled cluster (0..2 with class 0, the rest with class 1);
    # K = 3: the far pair (9, 9.1) forms the third cluster, which holds no labeled sample
    prior = propagate_prior(x, seeds, labels, num_classes=2, ks=(2, 3), normalize=False)
    expected = torch.tensor([[1., 0.]] * 3 + [[0., 1.]] * 2 + [[0., 0.5]] * 2)
    assert torch.equal(prior, expected)
    only_k3 = propagate_prior(x, seeds, labels, num_classes=2, ks=(3, ), normalize=False)
    assert only_k3[5:].sum() == 0 and torch.equal(only_k3[:5], expected[:5])  # zero rows: never propagated
    nearest = propagate_prior(x, seeds, labels, num_classes=2, ks=(3, ), normalize=False, propagate_unlabeled=True)
    assert torch.equal(nearest[5:], torch.tensor([[0., 1.]] * 2))


def test_six_clusterings_by_default(monkeypatch):
    """Seed 002: 6 clusterings; K = C, 2C, ..., 6C (10, 20, ..., 60 for the 10 classes of CIFAR-10)."""
    assert default_ks(10) == (10, 20, 30, 40, 50, 60) and default_ks(100) == (100, 200, 300, 400, 500, 600)
    x = _blobs([(0., 0.), (10., 0.), (0., 10.)], per=40)
    calls, real = [], as3l_api.constrained_kmeans
    monkeypatch.setattr(as3l_api, 'constrained_kmeans', lambda *a, **k: calls.append(a[3]) or real(*a, **k))
    propagate_prior(x, [0, 40, 80], [0, 1, 2], num_classes=3, normalize=False)
    assert calls == [3, 6, 9, 12, 15, 18]


def test_feature_finetuning_is_the_mse_minimiser_toward_the_cluster_centres():
    """Seed 002, Sec. 3.2.1: "a linear layer trained with MSE toward the centres of C clusterings"."""
    from densessl.evaluation.clustering import kmeans
    x = F.normalize(_blobs([(0., 0., 1.), (3., 0., 1.), (0., 3., 1.)], per=15, spread=0.8, seed=1), dim=1)
    ks = (3, 5, 7)
    fine = finetune_features(x, ks, seed=4, normalize=False)
    assert fine.shape == x.shape and fine.dtype == torch.float64
    centres = [c[l] for l, c, _ in (kmeans(x, k, n_init=1, seed=4 + i) for i, k in enumerate(ks))]

    def mse(w, b):
        out = x @ w + b
        return sum(((out - c) ** 2).sum(1).mean() for c in centres) / len(centres)

    # recover the fitted layer from its outputs, then check optimality: zero gradient of the MSE
    design = torch.cat([x, torch.ones(len(x), 1, dtype=x.dtype)], 1)
    sol = torch.linalg.lstsq(design, fine).solution
    w, b = sol[:-1].clone().requires_grad_(True), sol[-1].clone().requires_grad_(True)
    loss = mse(w, b)
    loss.backward()
    assert w.grad.abs().max() < 1e-8 and b.grad.abs().max() < 1e-8
    # better than leaving the features as they are (identity layer)
    assert loss.item() < mse(torch.eye(3, dtype=x.dtype), torch.zeros(3, dtype=x.dtype)).item()
    # the clusters tighten: mean distance to the averaged centre drops
    target = sum(centres) / len(centres)
    assert (fine - target).norm(dim=1).mean() < (x - target).norm(dim=1).mean()
    ridge = finetune_features(x, ks, seed=4, normalize=False, ridge=10.0)
    assert not torch.allclose(ridge, fine)
    with pytest.raises(ValueError, match='no K'):
        finetune_features(x, (1000, ), normalize=False)
    with pytest.raises(ValueError, match='ridge'):
        finetune_features(x, ks, ridge=-1.0)


def test_select_and_propagate_finetunes_and_reports_coverage():
    x = _blobs([(0., 0., 1.), (5., 0., 1.), (0., 5., 1.)], per=20, spread=0.5)
    labels = torch.arange(3).repeat_interleave(20)
    out = select_and_propagate(x, labels, budget=3, num_classes=3, num_runs=3)
    assert len(out['labeled']) == 3 and sorted(out['labeled'] + out['unlabeled']) == list(range(60))
    assert out['prior'].shape == (57, 3) and (out['prior'].sum(1) <= 1 + 1e-6).all()
    assert 0 < out['prior_coverage'] <= 1 and out['prior_accuracy'] > 0.9
    raw = select_and_propagate(x, labels, budget=3, num_classes=3, num_runs=3, finetune=False)
    assert set(raw) == set(out)


def test_selection_is_deterministic_and_picks_medians():
    # three 1-D groups; their medians are 2., 102. and 201.
    vals = [0., 1., 2., 3., 10., 100., 101., 102., 104., 110., 200., 201., 202.]
    x = torch.tensor(vals).unsqueeze(1)
    labels, consistent = consistent_clusters(x, 3, num_runs=4, seed=3, normalize=False)
    assert bool(consistent.all())
    picked = active_selection(x, 3, num_runs=4, seed=3, normalize=False)
    assert [vals[i] for i in picked] == [2., 102., 201.]
    assert torch.equal(picked, active_selection(x, 3, num_runs=4, seed=3, normalize=False))
    # deterministic on random features too, and one sample per cluster
    feats = torch.randn(200, 8, generator=torch.Generator().manual_seed(0))
    a, b = active_selection(feats, 10, seed=5), active_selection(feats, 10, seed=5)
    assert torch.equal(a, b) and len(a) == 10 and len(set(a.tolist())) == 10
    # the median is taken over the eligible (consistent) members only
    y = torch.tensor([[0.], [1.], [2.], [3.], [4.]])
    assert cluster_medians(y, torch.zeros(5), normalize=False).tolist() == [2]
    mask = torch.tensor([True, True, False, False, True])  # eligible 0, 1, 4: median 1
    assert cluster_medians(y, torch.zeros(5), mask, normalize=False).tolist() == [1]
