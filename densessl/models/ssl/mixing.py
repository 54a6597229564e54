"""Mixing masks (CutMix boxes, ClassMix class masks) and mixing of a batch with its partners under one mask.

Convention: a mask is a float tensor ``(N, 1, H, W)`` in ``{0, 1}``; where it is 1 the mixed sample ``i`` shows
the *source* sample ``i``, where it is 0 it shows its partner ``perm[i]``:

.. math::  \\text{mixed}_i = M_i \\odot x_i + (1 - M_i) \\odot x_{\\pi(i)}

Images, pseudo-labels, probabilities, confidences and validity masks of one batch are all mixed with the same
``M`` and ``perm`` by :func:`mix_batch`, so the student's mixed input and its mixed target stay aligned pixel by
pixel. Per-sample targets ``(N, C)`` (classification CutMix) are mixed with the area share
:math:`\\lambda_i = \\mathrm{mean}(M_i)`, so the same call serves ``(N, C)`` and ``(N, C, H, W)`` targets.

- CutMix (French et al. 2020, after Yun et al. 2019): :func:`cutmix_box_masks`, one random box per mask of a
  given area share, with a random aspect ratio, inside the image.
- ClassMix (Olsson et al. 2021): :func:`classmix_masks`, the pixels whose (teacher) label is in a random half
  of the classes present in the source image.
"""
import math
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from torch import Tensor

from densessl.registry import MODELS

__all__ = ['cutmix_box_masks', 'classmix_masks', 'mix_batch', 'partner_permutation', 'CutMixMask', 'ClassMixMask']


def _uniform(shape, lo: float, hi: float, device, generator) -> Tensor:
    return lo + (hi - lo) * torch.rand(shape, device=device, generator=generator)


def cutmix_box_masks(num: int,
                     size: Tuple[int, int],
                     area: Union[float, Sequence[float]] = 0.5,
                     n_boxes: int = 1,
                     random_aspect_ratio: bool = True,
                     device: Optional[torch.device] = None,
                     generator: Optional[torch.Generator] = None,
                     aspect_ratio: Optional[Sequence[float]] = None) -> Tensor:
    r"""Random box masks (CutMix), as French et al.'s ``BoxMaskGenerator`` (``prop_by_area``, ``within_bounds``).

    Each mask holds ``n_boxes`` boxes whose joint area share :math:`a` is drawn uniformly from ``area``; with a
    random aspect ratio the box height share is :math:`h = a^{u}`, :math:`u \sim U(0, 1)`, and the width share
    :math:`w = a / h` (so :math:`h, w \in [a, 1]`), otherwise :math:`h = w = \sqrt{a}`; with several boxes each
    side is scaled by :math:`\sqrt{1 / n_{boxes}}`. Boxes lie inside the image, at uniformly random positions;
    the mask is 1 inside them.

    Args:
        num (int): number of masks :math:`N`.
        size (tuple[int, int]): mask size ``(H, W)``.
        area (float | tuple[float, float]): box area share, fixed or a ``(min, max)`` range. Defaults to 0.5
            (French et al.).
        n_boxes (int): boxes per mask. Defaults to 1.
        random_aspect_ratio (bool): draw the aspect ratio. Defaults to True.
        aspect_ratio (tuple[float, float], optional): draw the ratio :math:`r` = height / width uniformly from
            this range instead (UniMatch: ``(0.3, 1 / 0.3)``): :math:`h = \sqrt{a r}`, :math:`w = \sqrt{a / r}`,
            each clipped to the image (UniMatch redraws such boxes). Overrides ``random_aspect_ratio``.
        device (torch.device, optional): device of the masks.
        generator (torch.Generator, optional): random generator (on ``device``); the global one by default.

    Shape:
        - output: :math:`(N, 1, H, W)`

    Returns:
        Tensor: float masks in ``{0, 1}``.

    Examples:
        >>> m = cutmix_box_masks(2, (8, 8), area=0.25, random_aspect_ratio=False)
        >>> m.shape, m.sum((1, 2, 3))
        (torch.Size([2, 1, 8, 8]), tensor([16., 16.]))
    """
    lo, hi = (float(area), float(area)) if isinstance(area, (int, float)) else (float(area[0]), float(area[1]))
    if not 0.0 <= lo <= hi <= 1.0:
        raise ValueError(f'area must be a share in [0, 1] or a (min, max) range of shares, got {area}')
    if n_boxes < 1:
        raise ValueError(f'n_boxes must be >= 1, got {n_boxes}')
    h, w = int(size[0]), int(size[1])
    props = _uniform((num, n_boxes), lo, hi, device, generator)
    if aspect_ratio is not None:
        r = _uniform((num, n_boxes), float(aspect_ratio[0]), float(aspect_ratio[1]), device, generator)
        y_props = (props * r).sqrt().clamp_max(1.0)
        x_props = (props / r).sqrt().clamp_max(1.0)
    elif random_aspect_ratio:
        y_props = torch.exp(torch.rand((num, n_boxes), device=device, generator=generator) *
                            torch.log(props.clamp_min(1e-12)))
        x_props = props / y_props.clamp_min(1e-12)
    else:
        y_props = x_props = props.sqrt()
    fac = math.sqrt(1.0 / n_boxes)
    y_props = torch.where(props > 0, y_props * fac, torch.zeros_like(props))
    x_props = torch.where(props > 0, x_props * fac, torch.zeros_like(props))
    box_h = torch.round(y_props * h)
    box_w = torch.round(x_props * w)
    y0 = torch.round((h - box_h) * torch.rand((num, n_boxes), device=device, generator=generator))
    x0 = torch.round((w - box_w) * torch.rand((num, n_boxes), device=device, generator=generator))
    ys = torch.arange(h, device=device, dtype=props.dtype).view(1, 1, h, 1)
    xs = torch.arange(w, device=device, dtype=props.dtype).view(1, 1, 1, w)
    inside_y = (ys >= y0[..., None, None]) & (ys < (y0 + box_h)[..., None, None])
    inside_x = (xs >= x0[..., None, None]) & (xs < (x0 + box_w)[..., None, None])
    # overlapping boxes toggle, as in the reference generator (mask[box] = 1 - mask[box])
    toggles = (inside_y & inside_x).sum(dim=1, keepdim=True)
    return (toggles % 2).float()


def classmix_masks(labels: Tensor,
                   num_classes: Optional[int] = None,
                   ignore_index: int = 255,
                   generator: Optional[torch.Generator] = None) -> Tensor:
    r"""ClassMix masks: the pixels whose label is in a random half of the classes present in the image.

    For each sample the classes present in ``labels`` (``ignore_index`` excluded) are listed, :math:`\lceil n/2
    \rceil` of the :math:`n` present classes are drawn without replacement (as the reference implementation),
    and the mask is 1 where the label is one of them. Use the teacher's argmax on the *source* images.

    Args:
        labels (Tensor): long class indices, the source images' (pseudo-)labels.
        num_classes (int, optional): number of classes; the largest label + 1 by default.
        ignore_index (int): label that is never selected. Defaults to 255.
        generator (torch.Generator, optional): random generator (on the labels' device).

    Shape:
        - labels: :math:`(N, H, W)`
        - output: :math:`(N, 1, H, W)`

    Returns:
        Tensor: float masks in ``{0, 1}``.

    Examples:
        >>> lab = torch.tensor([[[0, 0], [1, 1]]])
        >>> m = classmix_masks(lab)  # one of the two classes, chosen at random
        >>> int(m.sum())
        2
    """
    if labels.dim() != 3:
        raise ValueError(f'labels must be (N, H, W) class indices, got shape {tuple(labels.shape)}')
    labels = labels.long()
    valid = labels != ignore_index
    if num_classes is None:
        num_classes = int(labels[valid].max()) + 1 if valid.any() else 1
    n = labels.shape[0]
    flat = torch.where(valid, labels, torch.full_like(labels, num_classes)).view(n, -1)
    if (flat > num_classes).any() or (flat < 0).any():
        raise ValueError(f'labels must lie in [0, {num_classes}) or equal ignore_index={ignore_index}')
    present = torch.zeros(n, num_classes + 1, dtype=torch.bool, device=labels.device)
    present.scatter_(1, flat, True)
    present = present[:, :num_classes]
    n_present = present.sum(1)
    n_chosen = (n_present + 1) // 2  # ceil(n / 2), as (n + n % 2) / 2 in the reference code
    keys = torch.rand(present.shape, device=labels.device, generator=generator)
    keys = torch.where(present, keys, torch.full_like(keys, 2.0))  # absent classes sort last
    rank = keys.argsort(dim=1).argsort(dim=1)
    chosen = present & (rank < n_chosen[:, None])
    chosen = torch.cat([chosen, chosen.new_zeros(n, 1)], dim=1)  # the ignore slot is never chosen
    return chosen.gather(1, flat).view(n, 1, *labels.shape[1:]).float()


def partner_permutation(num: int, mode: str = 'roll', device: Optional[torch.device] = None,
                        generator: Optional[torch.Generator] = None, shift: int = 1) -> Tensor:
    """Which sample each sample is mixed with.

    Args:
        num (int): batch size :math:`N`.
        mode (str): ``'roll'``: sample ``i`` with ``i + shift`` (mod N), so every sample is a partner exactly
            once and never its own when ``shift`` is not a multiple of :math:`N`; ``'random'``: a random
            permutation.
        device (torch.device, optional): device of the result.
        generator (torch.Generator, optional): random generator for ``'random'``.
        shift (int): the roll's offset (several strong views take 1, 2, ... so that each has other partners).

    Returns:
        Tensor: long permutation of shape :math:`(N,)`.

    Examples:
        >>> partner_permutation(4), partner_permutation(4, shift=2)
        (tensor([1, 2, 3, 0]), tensor([2, 3, 0, 1]))
    """
    if mode == 'roll':
        return torch.roll(torch.arange(num, device=device), -shift)
    if mode == 'random':
        return torch.randperm(num, device=device, generator=generator)
    raise ValueError(f"partner mode must be 'roll' or 'random', got {mode!r}")


def mix_batch(mask: Tensor, tensor: Tensor, perm: Tensor) -> Tensor:
    r"""Mix every sample of a batch with its partner under the sample's mask.

    :math:`\text{out}_i = M_i\,x_i + (1 - M_i)\,x_{\pi(i)}`, broadcast to the tensor's layout:

    - dense tensors (the mask's spatial size): images / probabilities ``(N, C, H, W)``, labels / confidences /
      weights ``(N, H, W)``; integer and bool tensors are selected (``torch.where``), so labels and the ignore
      index stay labels;
    - per-sample tensors (no spatial axes, or singleton ones): ``(N, C)``, ``(N, C, 1, 1)``, ``(N,)``, mixed
      with the area share :math:`\lambda_i = \mathrm{mean}(M_i)` (classification CutMix label mixing); they
      must be floating point.

    Args:
        mask (Tensor): float mask in ``{0, 1}`` (or soft, for float tensors).
        tensor (Tensor): the batch to mix.
        perm (Tensor): partner of each sample (:func:`partner_permutation`).

    Shape:
        - mask: :math:`(N, 1, H, W)`
        - tensor: :math:`(N, C, H, W)`, :math:`(N, H, W)`, :math:`(N, C)`, :math:`(N, C, 1, 1)` or :math:`(N,)`
        - output: same as ``tensor``

    Returns:
        Tensor: the mixed batch.

    Examples:
        >>> mask = torch.tensor([[[[1., 0.]]], [[[0., 0.]]]])  # (2, 1, 1, 2)
        >>> mix_batch(mask, torch.tensor([[[1, 1]], [[2, 2]]]), torch.tensor([1, 0]))
        tensor([[[1, 2]],
        <BLANKLINE>
                [[1, 1]]])
    """
    if mask.dim() != 4 or mask.shape[1] != 1:
        raise ValueError(f'mask must be (N, 1, H, W), got shape {tuple(mask.shape)}')
    n, spatial = mask.shape[0], tuple(mask.shape[2:])
    if tensor.shape[0] != n or perm.shape[0] != n:
        raise ValueError(f'batch sizes differ: mask {n}, tensor {tensor.shape[0]}, perm {perm.shape[0]}')
    other = tensor[perm]
    if tuple(tensor.shape[-2:]) == spatial and tensor.dim() in (3, 4):
        m = mask[:, 0] if tensor.dim() == 3 else mask
        if tensor.dtype.is_floating_point:
            return m * tensor + (1 - m) * other
        return torch.where(m.expand_as(tensor) > 0.5, tensor, other)
    if tensor.dim() in (1, 2) or all(s == 1 for s in tensor.shape[2:]):
        if not tensor.dtype.is_floating_point:
            raise TypeError('per-sample targets are mixed with the area share and must be floating point '
                            f'(probabilities / one-hot), got {tensor.dtype}')
        lam = mask.flatten(1).mean(1).to(tensor.dtype).view(n, *([1] * (tensor.dim() - 1)))
        return lam * tensor + (1 - lam) * other
    raise ValueError(f'cannot mix a tensor of shape {tuple(tensor.shape)} with a mask of shape '
                     f'{tuple(mask.shape)}: spatial sizes differ')


@MODELS.register_module()
class CutMixMask(nn.Module):
    """CutMix box masks (:func:`cutmix_box_masks`) as a configurable component.

    Args:
        area (float | tuple[float, float]): box area share, fixed or a range. Defaults to 0.5.
        n_boxes (int): boxes per mask. Defaults to 1.
        random_aspect_ratio (bool): French et al.'s aspect ratio draw. Defaults to True.
        aspect_ratio (tuple[float, float], optional): draw height / width uniformly from this range instead.
        prob (float): probability that a sample gets a box at all; a sample without one is not mixed (its mask is
            all ones). Defaults to 1.0 (French et al.); UniMatch uses 0.5.
        box_from (str): which image the box shows: ``'source'`` (French et al.: the mask is 1 inside the box) or
            ``'partner'`` (UniMatch pastes the partner into the box: the mask is 0 inside it).

    Examples:
        >>> CutMixMask()(torch.zeros(3, 16, 16, dtype=torch.long)).shape
        torch.Size([3, 1, 16, 16])
        >>> m = CutMixMask(area=0.25, random_aspect_ratio=False, box_from='partner')(torch.zeros(1, 8, 8))
        >>> int(m.sum())  # the partner fills a quarter of the image
        48
    """

    def __init__(self, area: Union[float, Sequence[float]] = 0.5, n_boxes: int = 1,
                 random_aspect_ratio: bool = True, aspect_ratio: Optional[Sequence[float]] = None,
                 prob: float = 1.0, box_from: str = 'source') -> None:
        super().__init__()
        if box_from not in ('source', 'partner'):
            raise ValueError(f"CutMixMask: box_from must be 'source' or 'partner', got {box_from!r}")
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f'CutMixMask: prob must be in [0, 1], got {prob}')
        self.area = area
        self.n_boxes = n_boxes
        self.random_aspect_ratio = random_aspect_ratio
        self.aspect_ratio = None if aspect_ratio is None else tuple(aspect_ratio)
        self.prob = prob
        self.box_from = box_from

    def forward(self, labels: Tensor, generator: Optional[torch.Generator] = None) -> Tensor:
        """Masks for a batch whose (pseudo-)labels are ``labels`` ``(N, H, W)`` (only their shape is used)."""
        n = labels.shape[0]
        box = cutmix_box_masks(n, tuple(labels.shape[-2:]), self.area, self.n_boxes, self.random_aspect_ratio,
                               labels.device, generator, aspect_ratio=self.aspect_ratio)
        mask = box if self.box_from == 'source' else 1.0 - box
        if self.prob < 1.0:
            has_box = torch.rand(n, device=labels.device, generator=generator) < self.prob
            mask = torch.where(has_box.view(n, 1, 1, 1), mask, torch.ones_like(mask))
        return mask

    def extra_repr(self) -> str:
        return (f'area={self.area}, n_boxes={self.n_boxes}, random_aspect_ratio={self.random_aspect_ratio}, '
                f'aspect_ratio={self.aspect_ratio}, prob={self.prob}, box_from={self.box_from!r}')


@MODELS.register_module()
class ClassMixMask(nn.Module):
    """ClassMix class masks (:func:`classmix_masks`) as a configurable component.

    Args:
        num_classes (int, optional): number of classes (the largest label + 1 by default).
        ignore_index (int): label never selected. Defaults to 255.

    Examples:
        >>> ClassMixMask()(torch.zeros(3, 16, 16, dtype=torch.long)).sum()  # one class present: all of it
        tensor(768.)
    """

    def __init__(self, num_classes: Optional[int] = None, ignore_index: int = 255) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.ignore_index = ignore_index

    def forward(self, labels: Tensor, generator: Optional[torch.Generator] = None) -> Tensor:
        """Masks from the source images' teacher labels ``(N, H, W)``."""
        return classmix_masks(labels, self.num_classes, self.ignore_index, generator)

    def extra_repr(self) -> str:
        return f'num_classes={self.num_classes}, ignore_index={self.ignore_index}'
