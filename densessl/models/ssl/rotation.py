"""Rotation views of a batch (RotNet, S4L-Rotation): every image rotated by 0, 90, 180 and 270 degrees."""
from typing import Tuple

import torch
from torch import Tensor

__all__ = ['rotate_batch', 'NUM_ROTATIONS']

NUM_ROTATIONS = 4


def rotate_batch(x: Tensor) -> Tuple[Tensor, Tensor]:
    """The four rotations of every image, grouped by angle, and their rotation labels.

    Copy ``k * N + i`` is image ``i`` rotated by ``k * 90`` degrees counter-clockwise
    (:func:`torch.rot90` over the spatial axes ``(H, W)``) and has label ``k``.

    Args:
        x (Tensor): images.

    Shape:
        - x: :math:`(N, C, H, W)` with :math:`H = W` (a quarter turn swaps the axes)
        - output: :math:`(4N, C, H, W)` and labels :math:`(4N,)`

    Returns:
        tuple[Tensor, Tensor]: rotated images and long labels in ``{0, 1, 2, 3}``.

    Raises:
        ValueError: ``x`` is not a batch of square images.

    Examples:
        >>> img = torch.tensor([[[[1., 2.], [3., 4.]]]])
        >>> rot, labels = rotate_batch(img)
        >>> rot[1, 0], labels
        (tensor([[2., 4.],
                [1., 3.]]), tensor([0, 1, 2, 3]))
    """
    if x.dim() != 4 or x.shape[2] != x.shape[3]:
        raise ValueError(f'rotate_batch needs square images (N, C, H, H), got {tuple(x.shape)}')
    rotated = torch.cat([torch.rot90(x, k, dims=(2, 3)) for k in range(NUM_ROTATIONS)])
    labels = torch.arange(NUM_ROTATIONS, device=x.device).repeat_interleave(x.shape[0])
    return rotated, labels
