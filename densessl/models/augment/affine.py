"""Differentiable affine augmentation of a batch and the inverse warp of feature maps (kornia).

The method of Xu et al. applies, after the usual non-differentiable view augmentations, a random affine transform
``t`` to every view as an op on the batch tensor, and compares dense features as ``t⁻¹(f(t(X)))``: feature maps
computed on the transformed view are warped back to the un-transformed frame before positives are formed, and
the pixels whose transformed position left the frame are masked out.

Conventions (all matrices are :math:`(B, 3, 3)` homogeneous, in **pixel** coordinates, origin at the top-left
pixel centre, ``x`` to the right, ``y`` down, pixel centres at integers, as kornia's ``align_corners=True``):

- ``matrix`` maps a point ``p`` of the input frame to its position ``M p`` in the transformed view, so
  ``affine_warp(x, M)(M p) = x(p)`` (kornia's :func:`~kornia.geometry.transform.warp_affine` convention);
- ``inverse_affine_warp(f, M)(p) = f(M p)``: a map computed on the transformed view, read back on the input grid;
- a feature map of size ``(h, w)`` computed from an image of size ``(H, W)`` covers it as
  :func:`torch.nn.functional.interpolate` with ``align_corners=False`` does: feature pixel ``i`` is centred on
  image coordinate ``(i + 0.5) * W / w - 0.5``. :func:`rescale_affine_matrix` conjugates ``M`` with that map.
"""
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from kornia.geometry.transform import get_affine_matrix2d, warp_affine

from densessl.registry import MODELS

Size = Tuple[int, int]
Range = Union[float, Sequence[float]]

__all__ = [
    'random_affine_matrix', 'affine_warp', 'rescale_affine_matrix', 'affine_valid_mask', 'inverse_affine_warp',
    'DifferentiableAffine'
]


def _as_range(value: Range, name: str, symmetric_around: float = 0.) -> Tuple[float, float]:
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError(f'{name} must be non-negative when given as one number, got {value}')
        return symmetric_around - float(value), symmetric_around + float(value)
    lo, hi = (float(v) for v in value)
    if lo > hi:
        raise ValueError(f'{name} range must be (min, max), got {tuple(value)}')
    return lo, hi


def random_affine_matrix(batch_size: int,
                         size: Size,
                         degrees: Range = 20.,
                         scale: Range = (0.8, 1.2),
                         shear: Range = 10.,
                         translate: Union[float, Sequence[float]] = 0.1,
                         p: float = 0.5,
                         device: Optional[torch.device] = None,
                         dtype: torch.dtype = torch.float32,
                         generator: Optional[torch.Generator] = None) -> torch.Tensor:
    r"""Sample one random affine matrix per sample; each component is switched on with probability ``p``.

    The four components (rotation, isotropic scale, shear, translation) are drawn independently, each present
    with probability ``p`` and the identity otherwise, and composed by
    :func:`kornia.geometry.transform.get_affine_matrix2d` about the image centre.

    Args:
        batch_size: number of matrices :math:`B`.
        size: image size :math:`(H, W)` the matrices act on (pixel coordinates).
        degrees: rotation range in degrees, ``d`` meaning ``(-d, d)``.
        scale: isotropic scale range ``(min, max)``.
        shear: shear range in degrees (same range for x and y), ``s`` meaning ``(-s, s)``.
        translate: maximal translation as a fraction of the width and height, one number or ``(tx, ty)``.
        p: probability of each component.
        device: device of the result.
        dtype: dtype of the result.
        generator: optional random generator (on ``device``) for reproducible draws.

    Returns:
        the matrices, shape :math:`(B, 3, 3)`.

    Examples:
        >>> m = random_affine_matrix(2, (32, 32), p=0.)
        >>> torch.equal(m, torch.eye(3).expand(2, 3, 3))
        True
    """
    if not 0. <= p <= 1.:
        raise ValueError(f'p must be in [0, 1], got {p}')
    height, width = size
    deg_lo, deg_hi = _as_range(degrees, 'degrees')
    sc_lo, sc_hi = _as_range(scale, 'scale', 1.)
    sh_lo, sh_hi = _as_range(shear, 'shear')
    if sc_lo <= 0:
        raise ValueError(f'scale must be positive, got {scale}')
    tx, ty = (translate, translate) if isinstance(translate, (int, float)) else tuple(translate)

    def uniform(lo, hi, *shape):
        u = torch.rand(batch_size, *shape, device=device, dtype=dtype, generator=generator)
        return lo + (hi - lo) * u

    def switch():
        return (torch.rand(batch_size, device=device, dtype=dtype, generator=generator) < p).to(dtype)

    on_rot, on_scale, on_shear, on_trans = switch(), switch(), switch(), switch()
    angle = uniform(deg_lo, deg_hi) * on_rot
    iso = 1. + (uniform(sc_lo, sc_hi) - 1.) * on_scale
    shear_xy = torch.deg2rad(uniform(sh_lo, sh_hi, 2)) * on_shear[:, None]
    trans = uniform(-1., 1., 2) * torch.tensor([tx * width, ty * height], device=device, dtype=dtype)
    trans = trans * on_trans[:, None]
    center = torch.tensor([(width - 1) / 2., (height - 1) / 2.], device=device, dtype=dtype).expand(batch_size, 2)
    return get_affine_matrix2d(trans, center, iso[:, None].expand(batch_size, 2), angle, shear_xy[:, 0],
                               shear_xy[:, 1])


def _check_matrix(matrix: torch.Tensor, batch: int) -> None:
    if not (matrix.dim() == 3 and matrix.shape[1:] == (3, 3)):
        raise ValueError(f'matrix must have shape (B, 3, 3), got {tuple(matrix.shape)}')
    if matrix.shape[0] != batch:
        raise ValueError(f'matrix batch {matrix.shape[0]} does not match the tensor batch {batch}')


def affine_warp(x: torch.Tensor, matrix: torch.Tensor, mode: str = 'bilinear',
                padding_mode: str = 'zeros') -> torch.Tensor:
    r"""Warp a batch with per-sample affine matrices: ``out(M p) = x(p)``, differentiable in ``x``.

    Args:
        x: input, shape :math:`(B, C, H, W)`.
        matrix: pixel-coordinate matrices acting on the :math:`(H, W)` grid, shape :math:`(B, 3, 3)`.
        mode: ``'bilinear'`` or ``'nearest'``.
        padding_mode: value of pixels coming from outside ``x``: ``'zeros'``, ``'border'``, ``'reflection'``.

    Returns:
        the warped batch, shape :math:`(B, C, H, W)`.

    Examples:
        >>> x = torch.rand(1, 3, 8, 8)
        >>> torch.allclose(affine_warp(x, torch.eye(3)[None]), x, atol=1e-6)
        True
    """
    if x.dim() != 4:
        raise ValueError(f'x must have shape (B, C, H, W), got {tuple(x.shape)}')
    _check_matrix(matrix, x.shape[0])
    return warp_affine(x, matrix[:, :2].to(x.dtype), tuple(x.shape[-2:]), mode=mode, padding_mode=padding_mode,
                       align_corners=True)


def _grid_map(src: Size, dst: Size, dtype, device) -> torch.Tensor:
    """Matrix S with ``p_src = S p_dst`` for two grids covering the same extent (half-pixel convention)."""
    (hs, ws), (hd, wd) = src, dst
    sx, sy = ws / wd, hs / hd
    return torch.tensor([[sx, 0., 0.5 * sx - 0.5], [0., sy, 0.5 * sy - 0.5], [0., 0., 1.]], dtype=dtype,
                        device=device)


def rescale_affine_matrix(matrix: torch.Tensor, src_size: Size, dst_size: Size) -> torch.Tensor:
    r"""Express a pixel-coordinate affine matrix of an :math:`(H, W)` grid on an :math:`(h, w)` grid.

    Both grids cover the same image extent (a feature map of stride ``H / h``); the result is
    :math:`S^{-1} M S` with :math:`S` the map from the ``dst`` to the ``src`` pixel coordinates
    (``x_src = (x_dst + 0.5) W / w - 0.5``). The linear part is unchanged; the translation is rescaled.

    Args:
        matrix: matrices on the ``src_size`` grid, shape :math:`(B, 3, 3)`.
        src_size: :math:`(H, W)`.
        dst_size: :math:`(h, w)`.

    Returns:
        matrices on the ``dst_size`` grid, shape :math:`(B, 3, 3)`.

    Examples:
        >>> m = torch.tensor([[[1., 0., 8.], [0., 1., -4.], [0., 0., 1.]]])
        >>> rescale_affine_matrix(m, (32, 32), (8, 8))[0, :2, 2]
        tensor([ 2., -1.])
    """
    if tuple(src_size) == tuple(dst_size):
        return matrix
    s = _grid_map(src_size, dst_size, matrix.dtype, matrix.device)
    return torch.linalg.inv(s) @ matrix @ s


def affine_valid_mask(matrix: torch.Tensor, size: Size, margin: float = 0.) -> torch.Tensor:
    r"""Pixels ``p`` of an :math:`(H, W)` grid whose transformed position ``M p`` stays inside the frame.

    A pixel is valid when ``M p`` lies in ``[margin, W - 1 - margin] x [margin, H - 1 - margin]``, so that the
    bilinear read ``f(M p)`` of :func:`inverse_affine_warp` uses only pixels of ``f`` (no padding). A positive
    ``margin`` also drops pixels near the border (e.g. where convolutions saw zero padding).

    Args:
        matrix: pixel-coordinate matrices on the grid, shape :math:`(B, 3, 3)`.
        size: :math:`(H, W)`.
        margin: border width in pixels excluded in addition.

    Returns:
        boolean mask, shape :math:`(B, 1, H, W)`.

    Examples:
        >>> shift = torch.tensor([[[1., 0., 2.], [0., 1., 0.], [0., 0., 1.]]])
        >>> affine_valid_mask(shift, (2, 4))[0, 0]
        tensor([[ True,  True, False, False],
                [ True,  True, False, False]])
    """
    height, width = size
    ys, xs = torch.meshgrid(torch.arange(height, device=matrix.device, dtype=matrix.dtype),
                            torch.arange(width, device=matrix.device, dtype=matrix.dtype), indexing='ij')
    pts = torch.stack([xs.flatten(), ys.flatten(), torch.ones_like(xs.flatten())], 0)  # (3, HW)
    mapped = matrix @ pts  # (B, 3, HW)
    x, y = mapped[:, 0], mapped[:, 1]
    eps = 1e-4
    valid = (x >= margin - eps) & (x <= width - 1 - margin + eps) & (y >= margin - eps) & (
        y <= height - 1 - margin + eps)
    return valid.view(-1, 1, height, width)


def inverse_affine_warp(feat: torch.Tensor,
                        matrix: torch.Tensor,
                        image_size: Optional[Size] = None,
                        mode: str = 'bilinear',
                        margin: float = 0.) -> Tuple[torch.Tensor, torch.Tensor]:
    r"""Read a map computed on the transformed view back on the un-transformed grid: ``out(p) = feat(M p)``.

    ``matrix`` is the one that produced the view (:func:`affine_warp`), on the image grid ``image_size``; it is
    rescaled to the feature resolution first (:func:`rescale_affine_matrix`). Differentiable in ``feat``.

    Args:
        feat: map computed on the transformed view, shape :math:`(B, C, h, w)`.
        matrix: the view's matrices on the image grid, shape :math:`(B, 3, 3)`.
        image_size: :math:`(H, W)` of the image ``matrix`` acts on; ``None`` means the feature grid itself.
        mode: ``'bilinear'`` or ``'nearest'``.
        margin: border (feature pixels) excluded from the valid mask, see :func:`affine_valid_mask`.

    Returns:
        - the map on the un-transformed grid, shape :math:`(B, C, h, w)`, zero where invalid;
        - the valid mask, boolean, shape :math:`(B, 1, h, w)`.

    Examples:
        >>> f = torch.rand(2, 4, 8, 8)
        >>> m = random_affine_matrix(2, (32, 32))
        >>> back, valid = inverse_affine_warp(affine_warp(f, rescale_affine_matrix(m, (32, 32), (8, 8))), m,
        ...                                   image_size=(32, 32))
        >>> back.shape, valid.shape
        (torch.Size([2, 4, 8, 8]), torch.Size([2, 1, 8, 8]))
    """
    if feat.dim() != 4:
        raise ValueError(f'feat must have shape (B, C, h, w), got {tuple(feat.shape)}')
    _check_matrix(matrix, feat.shape[0])
    fsize = tuple(feat.shape[-2:])
    m_feat = rescale_affine_matrix(matrix.to(feat.dtype), image_size or fsize, fsize)
    valid = affine_valid_mask(m_feat, fsize, margin)
    if margin <= 0 and bool((matrix == torch.eye(3, dtype=matrix.dtype, device=matrix.device)).all()):
        return feat, valid  # identity for every sample
    # warp_affine(src, A) gives out(q) = src(A^-1 q); with A = M^-1 this is out(p) = feat(M p)
    back = warp_affine(feat, torch.linalg.inv(m_feat)[:, :2], fsize, mode=mode, padding_mode='zeros',
                       align_corners=True)
    return back * valid.to(back.dtype), valid


@MODELS.register_module()
class DifferentiableAffine(nn.Module):
    r"""Random per-sample affine augmentation of a batch, kept invertible for dense losses.

    Each of rotation, isotropic scale, shear and translation is applied with probability ``p`` (independently
    per sample and component); sampling is bilinear and differentiable in the input. :meth:`forward` returns the
    matrices with the batch so that :meth:`inverse` can warp feature maps back exactly.

    Args:
        degrees: rotation range in degrees (``d`` = ``(-d, d)``).
        scale: isotropic scale range.
        shear: shear range in degrees.
        translate: maximal translation as a fraction of the size.
        p: probability of each component.
        mode: interpolation, ``'bilinear'`` (the method's choice) or ``'nearest'``.
        padding_mode: fill of pixels from outside the view, ``'zeros'`` by default (the normalised mean).

    Shape:
        - Input: :math:`(B, C, H, W)`.
        - Output: :math:`(B, C, H, W)` and the matrices :math:`(B, 3, 3)`.

    Examples:
        >>> aug = DifferentiableAffine(p=1.)
        >>> x = torch.rand(2, 3, 16, 16, requires_grad=True)
        >>> y, m = aug(x)
        >>> y.shape, m.shape
        (torch.Size([2, 3, 16, 16]), torch.Size([2, 3, 3]))
    """

    def __init__(self,
                 degrees: Range = 20.,
                 scale: Range = (0.8, 1.2),
                 shear: Range = 10.,
                 translate: Union[float, Sequence[float]] = 0.1,
                 p: float = 0.5,
                 mode: str = 'bilinear',
                 padding_mode: str = 'zeros') -> None:
        super().__init__()
        self.degrees, self.scale, self.shear, self.translate = degrees, scale, shear, translate
        self.p, self.mode, self.padding_mode = p, mode, padding_mode
        # validate the ranges once
        random_affine_matrix(1, (2, 2), degrees, scale, shear, translate, p)

    def sample(self, batch_size: int, size: Size, device=None, dtype=torch.float32,
               generator: Optional[torch.Generator] = None) -> torch.Tensor:
        """Draw the matrices, shape :math:`(B, 3, 3)`, for images of ``size`` :math:`(H, W)`."""
        return random_affine_matrix(batch_size, size, self.degrees, self.scale, self.shear, self.translate, self.p,
                                    device=device, dtype=dtype, generator=generator)

    def forward(self, x: torch.Tensor, matrix: Optional[torch.Tensor] = None) -> Tuple[torch.Tensor, torch.Tensor]:
        """Warp ``x`` with fresh matrices (or the given ones); returns ``(warped, matrix)``."""
        if matrix is None:
            matrix = self.sample(x.shape[0], tuple(x.shape[-2:]), device=x.device, dtype=x.dtype)
        eye = torch.eye(3, dtype=matrix.dtype, device=matrix.device)
        if bool((matrix == eye).all()):  # every component off for every sample: nothing to resample
            return x, matrix
        return affine_warp(x, matrix, self.mode, self.padding_mode), matrix

    def inverse(self, feat: torch.Tensor, matrix: torch.Tensor, image_size: Optional[Size] = None,
                margin: float = 0.) -> Tuple[torch.Tensor, torch.Tensor]:
        """Warp a map of the transformed view back; see :func:`inverse_affine_warp`."""
        return inverse_affine_warp(feat, matrix, image_size, self.mode, margin)

    def extra_repr(self) -> str:
        return (f'degrees={self.degrees}, scale={self.scale}, shear={self.shear}, translate={self.translate}, '
                f'p={self.p}, mode={self.mode}')
