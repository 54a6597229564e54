"""PooledPixProNeck: PixPro's projector on a selected, average-pooled backbone output."""
import pytest
import torch

from densessl.models.necks import PooledPixProNeck


def test_selects_pools_then_projects():
    torch.manual_seed(0)
    neck = PooledPixProNeck(in_channels=4, hid_channels=8, out_channels=3, in_index=0, pool=2).eval()
    x = torch.rand(2, 4, 6, 4)
    out = neck([x, torch.rand(2, 16, 3, 3)])
    assert out.shape == (2, 3, 3, 2)
    # the same as PixPro's projector on the 2x2 means
    manual = neck.conv2(neck.relu(neck.bn1(neck.conv1(torch.nn.functional.avg_pool2d(x, 2)))))
    torch.testing.assert_close(out, manual)
    assert torch.allclose(out[:, :, 0, 0], neck(x[..., :2, :2])[:, :, 0, 0])  # a cell sees only its 2x2 block


def test_gradients_reach_every_pooled_pixel_and_errors():
    neck = PooledPixProNeck(in_channels=2, hid_channels=4, out_channels=2, pool=4)
    x = torch.rand(2, 2, 8, 8, requires_grad=True)
    neck(x).sum().backward()
    assert (x.grad.abs() > 0).float().mean() > 0.9
    with pytest.raises(ValueError, match='does not split into 4x4'):
        neck(torch.rand(1, 2, 6, 8))
    with pytest.raises(ValueError, match='pool must be >= 1'):
        PooledPixProNeck(pool=0)
