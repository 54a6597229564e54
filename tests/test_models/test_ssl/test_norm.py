"""densessl.models.ssl.norm: BN running statistics left alone on augmented views."""
import pytest
import torch
import torch.nn as nn

from densessl.models.ssl import frozen_bn_stats


def _net():
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Conv2d(4, 4, 1), nn.BatchNorm2d(4))


def test_running_stats_unchanged_but_batch_statistics_used():
    torch.manual_seed(0)
    net = _net().train()
    net(torch.randn(8, 3, 10, 10))  # some running statistics to keep
    before = {k: v.clone() for k, v in net.state_dict().items()}
    shifted = torch.randn(8, 3, 10, 10) * 3 + 7
    with frozen_bn_stats(net) as n_layers:
        out = net[:2](shifted)
    assert n_layers == 2
    for k, v in net.state_dict().items():
        assert torch.equal(v, before[k]), k  # running mean / var and num_batches_tracked
    # normalised with the batch's statistics: zero mean, unit variance per channel
    assert out.mean(dim=(0, 2, 3)).abs().max() < 1e-5
    assert (out.var(dim=(0, 2, 3), unbiased=False) - 1).abs().max() < 1e-3
    # momentum restored: the next training pass updates the statistics again
    assert net[1].momentum == 0.1
    net(shifted)
    assert not torch.equal(net[1].running_mean, before['1.running_mean'])
    assert int(net[1].num_batches_tracked) == int(before['1.num_batches_tracked']) + 1


def test_restored_after_an_exception_and_cumulative_momentum_kept():
    net = _net().train()
    net[4].momentum = None  # cumulative average
    with pytest.raises(RuntimeError):
        with frozen_bn_stats(net):
            net(torch.randn(2, 3, 5, 5))
            raise RuntimeError('boom')
    assert net[1].momentum == 0.1 and net[4].momentum is None
    assert int(net[1].num_batches_tracked) == 0 and torch.equal(net[1].running_mean, torch.zeros(4))


def test_eval_mode_and_modules_without_running_stats_untouched():
    net = nn.Sequential(nn.BatchNorm1d(3, track_running_stats=False), nn.BatchNorm1d(3)).eval()
    x = torch.randn(4, 3)
    ref = net(x)
    with frozen_bn_stats(net) as n_layers:
        assert n_layers == 1
        assert torch.equal(net(x), ref)
