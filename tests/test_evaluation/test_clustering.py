"""Clustering accuracy: Hungarian matching on hand-made assignments, k-means on separated blobs, the metric on
predicted samples with features."""
import numpy as np
import pytest
import torch
from mmpretrain.structures import DataSample

from densessl.evaluation.clustering import (ClusteringAccuracy, clustering_accuracy, feature_clustering_accuracy,
                                            hungarian_match, kmeans, minibatch_kmeans)


def test_hungarian_matching_hand_computed():
    # clusters are a permutation of the classes: accuracy 1
    assert clustering_accuracy([0, 0, 1, 1, 2, 2], [2, 2, 0, 0, 1, 1]) == 1.0
    assert hungarian_match([0, 0, 1, 1, 2, 2], [2, 2, 0, 0, 1, 1]) == {2: 0, 0: 1, 1: 2}
    # cluster 1 holds two classes: only its majority can be matched (greedy would pick the same here)
    assert clustering_accuracy([0, 0, 1, 1, 2], [2, 2, 0, 1, 1]) == pytest.approx(0.8)
    # a case where greedy matching fails: cluster 0 is mostly class 0 but class 0 is better given to cluster 1
    y_true = [0, 0, 0, 1, 1, 0, 0]
    y_pred = [0, 0, 0, 0, 0, 1, 1]
    # greedy: 0->0 (3 hits), 1->? class 1 never in cluster 1 -> 3/7; optimal: 0->1 (2), 1->0 (2) -> 4/7
    assert clustering_accuracy(y_true, y_pred) == pytest.approx(4 / 7)
    # more clusters than classes: the extra cluster counts as wrong
    assert clustering_accuracy([0, 0, 1, 1], [0, 0, 1, 2]) == pytest.approx(0.75)
    with pytest.raises(ValueError, match='differ in length'):
        clustering_accuracy([0, 1], [0])
    with pytest.raises(ValueError, match='non-negative integers'):
        clustering_accuracy([0, -1], [0, 1])


def test_kmeans_recovers_separated_blobs():
    rng = np.random.default_rng(0)
    centres = np.array([[0, 0], [10, 0], [0, 10], [10, 10]], dtype=np.float64)
    labels = np.repeat(np.arange(4), 25)
    pts = centres[labels] + rng.normal(scale=0.5, size=(100, 2))
    assign, c, inertia = kmeans(torch.tensor(pts), 4, seed=1)
    assert clustering_accuracy(labels, assign.numpy()) == 1.0
    found = sorted(map(tuple, np.round(c.numpy() / 10)))
    assert found == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert inertia == pytest.approx(((pts - c.numpy()[assign.numpy()])**2).sum())
    again, _, _ = kmeans(torch.tensor(pts), 4, seed=1)
    assert torch.equal(assign, again)
    with pytest.raises(ValueError, match='k must be in'):
        kmeans(torch.tensor(pts), 0)
    # random features carry no class information: chance level
    rand = feature_clustering_accuracy(torch.randn(400, 8, generator=torch.Generator().manual_seed(0)),
                                       np.repeat(np.arange(4), 100))
    assert rand < 0.4


def test_metric_on_predicted_samples():
    metric = ClusteringAccuracy(seed=0)
    rng = np.random.default_rng(1)
    samples = []
    for i in range(60):
        label = i % 3
        feat = torch.tensor(np.eye(3)[label] * 5 + rng.normal(scale=0.3, size=3), dtype=torch.float32)
        s = DataSample().set_gt_label(label)
        s.set_field(feat, 'feat')
        samples.append(s.to_dict())
    metric.process(None, samples[:30])
    metric.process(None, samples[30:])
    out = metric.evaluate(60)
    assert out == {'clustering/accuracy': 100.0}
    with pytest.raises(KeyError, match='attach_features'):
        ClusteringAccuracy().process(None, [DataSample().set_gt_label(0).to_dict()])


def test_minibatch_kmeans_recovers_blobs_from_a_memmap_and_is_seeded(tmp_path):
    rng = np.random.default_rng(0)
    centres = np.array([[0, 0], [10, 0], [0, 10], [10, 10]], dtype=np.float32)
    labels = np.repeat(np.arange(4), 250)
    pts = (centres[labels] + rng.normal(scale=0.5, size=(1000, 2))).astype(np.float32)
    path = str(tmp_path / 'pts.npy')
    np.save(path, pts)
    mm = np.load(path, mmap_mode='r')
    assign, c, inertia = minibatch_kmeans(mm, 4, batch_size=64, max_iter=30, chunk_size=300, seed=2)
    assert clustering_accuracy(labels, assign.numpy()) == 1.0
    assert sorted(map(tuple, np.round(c.numpy() / 10))) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert inertia == pytest.approx(((pts - c.numpy()[assign.numpy()])**2).sum(), rel=1e-4)
    again = minibatch_kmeans(torch.from_numpy(pts), 4, batch_size=64, max_iter=30, seed=2)
    assert torch.equal(again[0], assign) and torch.allclose(again[1], c)
    with pytest.raises(ValueError, match=r'k must be in \[1, 1000\]'):
        minibatch_kmeans(mm, 1001)
