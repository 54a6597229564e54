"""PixPro's projector on a chosen, average-pooled feature map: PixPro for encoder-decoder backbones (UNet).

PixPro compares every pixel of one view's feature map with every pixel of the other's, so its cost grows with the
square of the map size. On a ResNet it reads the 7x7 C5 map; mmseg's ``UNet`` ends with a full-resolution map
(256x256 for an ACDC slice: 65536 pixels, a 65536^2 similarity matrix per image). This neck selects one output of
the backbone and average-pools it to a coarser grid first (factor 8: 32x32), so the whole UNet, decoder included, is
trained by the pixel contrast and the positive-pair geometry stays PixPro's (the pooled cells tile the view).

    backbone outputs (list) -> [in_index] -> AvgPool(pool) -> conv1x1-BN-ReLU-conv1x1 (PixPro's projector)
"""
from typing import Optional, Sequence, Union

import torch
import torch.nn.functional as F

from densessl.models.selfsup.pixpro import PixProNeck
from densessl.registry import MODELS

__all__ = ['PooledPixProNeck']


@MODELS.register_module()
class PooledPixProNeck(PixProNeck):
    """:class:`~densessl.models.selfsup.pixpro.PixProNeck` on ``x[in_index]`` average-pooled by ``pool``.

    Args:
        in_channels / hid_channels / out_channels / norm_cfg: as :class:`PixProNeck`.
        in_index (int): which backbone output to read (``-1``: the last, the UNet's full-resolution map).
        pool (int): average-pooling kernel and stride (1: no pooling).

    Shape:
        - Input: a tuple of maps (or a tensor), the selected one :math:`(B, C_{in}, h, w)`, ``h`` and ``w``
          multiples of ``pool``.
        - Output: :math:`(B, C_{out}, h / pool, w / pool)`.

    Examples:
        >>> neck = PooledPixProNeck(in_channels=16, hid_channels=32, out_channels=8, in_index=-1, pool=8)
        >>> neck([torch.zeros(2, 64, 4, 4), torch.rand(2, 16, 64, 64)]).shape
        torch.Size([2, 8, 8, 8])
    """

    def __init__(self, in_channels: int = 16, hid_channels: int = 1024, out_channels: int = 128,
                 norm_cfg: Optional[dict] = None, in_index: int = -1, pool: int = 8, init_cfg=None) -> None:
        super().__init__(in_channels=in_channels, hid_channels=hid_channels, out_channels=out_channels,
                         norm_cfg=norm_cfg, init_cfg=init_cfg)
        if pool < 1:
            raise ValueError(f'pool must be >= 1, got {pool}')
        self.in_index = in_index
        self.pool = pool

    def forward(self, x: Union[torch.Tensor, Sequence[torch.Tensor]]) -> torch.Tensor:
        if isinstance(x, (tuple, list)):
            x = x[self.in_index]
        if self.pool > 1:
            h, w = x.shape[-2:]
            if h % self.pool or w % self.pool:
                raise ValueError(f'PooledPixProNeck: a {h}x{w} map does not split into {self.pool}x{self.pool} '
                                 'cells; use a view size that is a multiple of the pooling')
            x = F.avg_pool2d(x, self.pool)
        return super().forward(x)
