"""PixPro (Xie et al., CVPR 2021) for target pretraining, with the differentiable affine and weight regulariser.

Reference implementation: ``zdaxie/PixPro`` (``contrast/models/PixPro.py``, ``contrast/data/transform_coord.py``);
default hyper-parameters from its ``tools/pixpro_base_r50_400ep.sh``: γ = 2 (``--pixpro-p``), teacher momentum
0.99 (``--pixpro-momentum``), positive radius 0.7 (``--pixpro-pos-ratio``), one value-transform layer
(``--pixpro-transform-layer 1``), instance-branch weight 0 (``--pixpro-ins-loss-weight``).

Coordinates follow the official code: a view's crop box ``(x0, y0, x1, y1)`` is normalised by ``(W - 1, H - 1)``
of the image it was cropped from, and a horizontal flip swaps ``x0`` and ``x1`` (so the bin width becomes negative
and the pixel centres run right to left).
"""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmpretrain.models.selfsup.base import BaseSelfSupervisor
from mmpretrain.models.utils import CosineEMA

from densessl.registry import MODELS
from .base import TargetPretrainMixin, selfsup_preprocessor

__all__ = [
    'PixProNeck', 'PixelPropagationModule', 'pixpro_positive_mask', 'pixel_contrast_loss', 'views_to_coords',
    'PixPro'
]


@MODELS.register_module()
class PixProNeck(BaseModule):
    """PixPro's projector: a two-layer MLP of 1×1 convolutions (conv-BN-ReLU-conv) on the last feature map.

    Args:
        in_channels: channels of the backbone's last stage (2048 for ResNet-50).
        hid_channels: hidden width (4096 in PixPro).
        out_channels: projection width (256 in PixPro).
        norm_cfg: normalisation of the hidden layer.

    Shape:
        - Input: a tuple of maps, the last one :math:`(B, C_{in}, h, w)` is used (or a tensor).
        - Output: :math:`(B, C_{out}, h, w)`.
    """

    def __init__(self, in_channels: int = 2048, hid_channels: int = 4096, out_channels: int = 256,
                 norm_cfg: Optional[dict] = None, init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        from mmcv.cnn import build_norm_layer
        self.conv1 = nn.Conv2d(in_channels, hid_channels, 1)
        self.bn1 = build_norm_layer(norm_cfg or dict(type='BN'), hid_channels)[1]
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(hid_channels, out_channels, 1)

    def forward(self, x: Union[torch.Tensor, Sequence[torch.Tensor]]) -> torch.Tensor:
        if isinstance(x, (tuple, list)):
            x = x[-1]
        return self.conv2(self.relu(self.bn1(self.conv1(x))))


@MODELS.register_module()
class PixelPropagationModule(BaseModule):
    r"""PixPro's pixel propagation module (PPM).

    ``y_i = Σ_j s(x_i, x_j) g(x_j)`` with :math:`s = \max(\cos(x_i, x_j), 0)^\gamma` and ``g`` a value transform
    (``num_transform_layers`` = 0: identity, 1: one 1×1 conv, 2: a conv MLP), ``g(x)`` L2-normalised per pixel.

    Args:
        channels: feature channels.
        gamma: sharpness exponent γ (2 in PixPro).
        num_transform_layers: depth of ``g`` (1 in PixPro).
        clamp_value: lower clamp of the cosine (0 in PixPro).

    Shape:
        - Input: :math:`(B, C, h, w)`.
        - Output: :math:`(B, C, h, w)`.
    """

    def __init__(self, channels: int = 256, gamma: float = 2., num_transform_layers: int = 1,
                 clamp_value: float = 0., norm_cfg: Optional[dict] = None, init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_transform_layers == 0:
            self.value_transform = nn.Identity()
        elif num_transform_layers == 1:
            self.value_transform = nn.Conv2d(channels, channels, 1)
        elif num_transform_layers == 2:
            self.value_transform = PixProNeck(channels, channels, channels, norm_cfg)
        else:
            raise ValueError(f'num_transform_layers must be 0, 1 or 2, got {num_transform_layers}')
        self.gamma = gamma
        self.clamp_value = clamp_value

    def forward(self, feat: torch.Tensor) -> torch.Tensor:
        n, c, h, w = feat.shape
        value = F.normalize(self.value_transform(feat), dim=1).view(n, c, -1)
        key = F.normalize(feat, dim=1).view(n, c, -1)
        sim = torch.bmm(key.transpose(1, 2), key).clamp(min=self.clamp_value)
        if self.gamma < 1.:
            sim = sim + 1e-6
        sim = sim**self.gamma
        return torch.bmm(value, sim.transpose(1, 2)).view(n, c, h, w)


def views_to_coords(bboxes: torch.Tensor, flips: torch.Tensor, src_shapes: torch.Tensor,
                    vflips: Optional[torch.Tensor] = None) -> torch.Tensor:
    r"""Convert recorded crop boxes and flips into PixPro's normalised view coordinates.

    Args:
        bboxes: crop boxes ``(x0, y0, x1, y1)`` in pixels of the image they were cropped from, inclusive ends
            (``x1 = x0 + w - 1``), shape :math:`(B, 4)`.
        flips: horizontal flip of each view, shape :math:`(B,)` (bool).
        src_shapes: ``(H, W)`` of the image the boxes refer to, shape :math:`(B, 2)`.
        vflips: vertical flip of each view, shape :math:`(B,)` (bool), optional.

    Returns:
        coordinates ``(x_a, y_a, x_b, y_b)`` in ``[0, 1]``, shape :math:`(B, 4)`; ``a`` is the corner shown at the
        view's top-left pixel.
    """
    b = bboxes.to(torch.float64)
    size = src_shapes.to(torch.float64)
    denom = torch.stack([size[:, 1] - 1, size[:, 0] - 1, size[:, 1] - 1, size[:, 0] - 1], 1).clamp(min=1)
    coord = b / denom
    flips = flips.to(torch.bool)
    coord[flips] = coord[flips][:, [2, 1, 0, 3]]
    if vflips is not None:
        vflips = vflips.to(torch.bool)
        coord[vflips] = coord[vflips][:, [0, 3, 2, 1]]
    return coord


def pixpro_positive_mask(coord_q: torch.Tensor, coord_k: torch.Tensor, size_q: Tuple[int, int],
                         size_k: Optional[Tuple[int, int]] = None, pos_ratio: float = 0.7) -> torch.Tensor:
    r"""PixPro's positive pairs between the feature-map pixels of two views (official rule).

    Feature pixel ``(i, j)`` of a view with coordinates ``c`` is centred at
    ``(x_a + (j + 0.5) (x_b - x_a) / w, y_a + (i + 0.5) (y_b - y_a) / h)`` in the normalised original image; two
    pixels are positive when the distance between their centres divided by the larger of the two views' bin
    diagonals is below ``pos_ratio``.

    Args:
        coord_q: view coordinates of the first view, :math:`(B, 4)` (see :func:`views_to_coords`).
        coord_k: view coordinates of the second view, :math:`(B, 4)`.
        size_q: feature size :math:`(h_q, w_q)` of the first view.
        size_k: feature size of the second view (default: ``size_q``).
        pos_ratio: the threshold (0.7 in PixPro).

    Returns:
        boolean mask, shape :math:`(B, h_q w_q, h_k w_k)` (row-major pixel order).
    """
    size_k = size_k or size_q

    def centres(coord, size):
        h, w = size
        bin_w = ((coord[:, 2] - coord[:, 0]) / w).view(-1, 1, 1)
        bin_h = ((coord[:, 3] - coord[:, 1]) / h).view(-1, 1, 1)
        xs = torch.arange(w, dtype=coord.dtype, device=coord.device).view(1, 1, -1)
        ys = torch.arange(h, dtype=coord.dtype, device=coord.device).view(1, -1, 1)
        cx = (xs + 0.5) * bin_w + coord[:, 0].view(-1, 1, 1)
        cy = (ys + 0.5) * bin_h + coord[:, 1].view(-1, 1, 1)
        cx, cy = torch.broadcast_tensors(cx, cy)
        return cx.reshape(len(coord), -1), cy.reshape(len(coord), -1), torch.sqrt(bin_w**2 + bin_h**2).view(-1, 1, 1)

    qx, qy, q_diag = centres(coord_q, size_q)
    kx, ky, k_diag = centres(coord_k, size_k)
    dist = torch.sqrt((qx[:, :, None] - kx[:, None, :])**2 + (qy[:, :, None] - ky[:, None, :])**2)
    return dist / torch.max(q_diag, k_diag) < pos_ratio


def pixel_contrast_loss(pred: torch.Tensor, target: torch.Tensor, pos_mask: torch.Tensor) -> torch.Tensor:
    r"""PixPro's pixel-to-propagation consistency loss for one direction (official ``regression_loss``).

    ``-2 * mean_b( Σ_{ij} m_ij cos(p_i, t_j) / (Σ_{ij} m_ij + 1e-6) )`` with ``p`` and ``t`` L2-normalised here.

    Args:
        pred: propagated online map, :math:`(B, C, h_q, w_q)`.
        target: target projection map, :math:`(B, C, h_k, w_k)` (no gradient is taken through it).
        pos_mask: positives, :math:`(B, h_q w_q, h_k w_k)`.

    Returns:
        scalar loss; ``-2`` when every positive pair is perfectly aligned.
    """
    n, c = pred.shape[:2]
    q = F.normalize(pred, dim=1).view(n, c, -1)
    k = F.normalize(target.detach(), dim=1).view(n, c, -1)
    mask = pos_mask.to(q.dtype)
    logit = torch.bmm(q.transpose(1, 2), k)
    per_sample = (logit * mask).sum((1, 2)) / (mask.sum((1, 2)) + 1e-6)
    return -2. * per_sample.mean()


def _stack_meta(data_samples, key: str, view: int) -> np.ndarray:
    values = []
    for sample in data_samples:
        if key not in sample:
            raise KeyError(f'data sample has no {key!r}: PixPro needs the views packed by the densessl '
                           'SelfSupViews pipeline (crop boxes and flips of every view) and PackViewInputs')
        values.append(np.asarray(sample.get(key))[view])
    return np.stack(values)


@MODELS.register_module()
class PixPro(TargetPretrainMixin, BaseSelfSupervisor):
    """PixPro target pretraining with the differentiable affine and the weight regulariser.

    Per view: ``x' = t(x)`` (affine, optional); online ``backbone → neck → PPM`` and target
    ``EMA(backbone → neck)`` on ``x'``; both maps warped back with ``t⁻¹`` at feature resolution; positives from
    the recorded crop boxes/flips (:func:`pixpro_positive_mask`) restricted to pixels valid in both views; loss
    :func:`pixel_contrast_loss` symmetrised over the two views (+ optional instance term) + ``loss_wreg``.

    Args:
        backbone: backbone config (the segmenter's backbone type, with ``out_indices=(3,)``).
        neck: projector config (:class:`PixProNeck`).
        ppm: :class:`PixelPropagationModule` config.
        pos_ratio: positive radius (0.7 in PixPro).
        base_momentum: MMEngine-convention momentum of the target nets (0.01 ≡ teacher weight 0.99, PixPro's
            ``--pixpro-momentum 0.99``); cosine-annealed to 0 (teacher 1) by ``CosineEMA`` or by the
            :class:`~densessl.engine.hooks.MomentumScheduleHook`.
        instance_loss_weight: weight of the instance branch (0 in PixPro's best setting: branch not built).
        instance_neck: projector of the instance branch (default: like ``neck``).
        instance_head: predictor of the instance branch (default: 256-4096-256 conv MLP).
        affine: :class:`~densessl.models.augment.DifferentiableAffine` config, ``None`` to switch it off.
        weight_reg: λ of the weight regulariser, 0 to switch it off.
        valid_margin: border (feature pixels) excluded from the affine valid mask.
        pretrained / data_preprocessor / init_cfg: as in mmpretrain's ``BaseSelfSupervisor``.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 ppm: Optional[dict] = None,
                 pos_ratio: float = 0.7,
                 base_momentum: float = 0.01,
                 instance_loss_weight: float = 0.,
                 instance_neck: Optional[dict] = None,
                 instance_head: Optional[dict] = None,
                 affine: Optional[dict] = dict(type='DifferentiableAffine'),
                 weight_reg: float = 1e-2,
                 valid_margin: float = 0.,
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[List[dict], dict]] = None) -> None:
        super().__init__(backbone=backbone, neck=neck, pretrained=pretrained,
                         data_preprocessor=selfsup_preprocessor(data_preprocessor),
                         init_cfg=init_cfg)
        ppm = dict(ppm or {})
        ppm.setdefault('type', 'PixelPropagationModule')
        ppm.setdefault('channels', getattr(self.neck.conv2, 'out_channels', 256))
        self.ppm = MODELS.build(ppm)
        self.pos_ratio = pos_ratio
        self.valid_margin = valid_margin
        self.target_net = CosineEMA(nn.Sequential(self.backbone, self.neck), momentum=base_momentum)
        self.instance_loss_weight = instance_loss_weight
        if instance_loss_weight > 0:
            self.instance_neck = MODELS.build(instance_neck or dict(neck))
            out_ch = self.instance_neck.conv2.out_channels
            self.instance_head = MODELS.build(
                instance_head or dict(type='PixProNeck', in_channels=out_ch, hid_channels=4096, out_channels=out_ch))
            self.target_instance_neck = CosineEMA(self.instance_neck, momentum=base_momentum)
        self.init_target_pretrain(affine, weight_reg)

    def extract_feat(self, inputs: torch.Tensor):
        return self.backbone(inputs)

    def _online(self, x: torch.Tensor):
        feat = self.backbone(x)
        proj = self.neck(feat)
        return feat, self.ppm(proj)

    @torch.no_grad()
    def _target(self, x: torch.Tensor):
        backbone_k, neck_k = self.target_net.module[0], self.target_net.module[1]
        feat = backbone_k(x)
        return feat, neck_k(feat)

    def _back(self, feat: torch.Tensor, matrix: Optional[torch.Tensor], image_size) -> Tuple[torch.Tensor, Optional[
            torch.Tensor]]:
        if matrix is None:
            return feat, None
        return self.affine.inverse(feat, matrix, image_size, margin=self.valid_margin)

    def _instance_vectors(self, feat_online, feat_target):
        pred = self.instance_head(self.instance_neck(feat_online))
        pred = F.normalize(pred.mean((2, 3)), dim=1)
        with torch.no_grad():
            target = F.normalize(self.target_instance_neck(feat_target).mean((2, 3)), dim=1)
        return pred, target

    def view_coords(self, data_samples, view: int, device) -> torch.Tensor:
        """PixPro coordinates of one view for the batch, :math:`(B, 4)` (float64)."""
        bboxes = torch.as_tensor(_stack_meta(data_samples, 'view_bboxes', view), device=device)
        flips = torch.as_tensor(_stack_meta(data_samples, 'view_flips', view), device=device)
        shapes = torch.as_tensor(_stack_meta(data_samples, 'view_src_shapes', view), device=device)
        vflips = None
        if all('view_vflips' in s for s in data_samples):
            vflips = torch.as_tensor(_stack_meta(data_samples, 'view_vflips', view), device=device)
        return views_to_coords(bboxes, flips, shapes, vflips)

    def loss(self, inputs: List[torch.Tensor], data_samples: list, **kwargs) -> Dict[str, torch.Tensor]:
        """Losses of one batch: ``loss_pixel`` (+ ``loss_instance``) + ``loss_wreg``.

        Args:
            inputs: the two views, each :math:`(B, 3, H, W)`.
            data_samples: per-sample metainfo with ``view_bboxes`` (2, 4), ``view_flips`` (2,) and
                ``view_src_shapes`` (2, 2).
        """
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError('PixPro expects two views per image (a list of two (B, 3, H, W) tensors)')
        self.start_weights_ready()
        views, mats = self.affine_views(inputs)
        if self.training:
            self.target_net.update_parameters(nn.Sequential(self.backbone, self.neck))
            if self.instance_loss_weight > 0:
                self.target_instance_neck.update_parameters(self.instance_neck)

        preds, targets, valids, feats = [], [], [], []
        for view, mat in zip(views, mats):
            size = tuple(view.shape[-2:])
            feat, pred = self._online(view)
            feat_k, proj_k = self._target(view)
            pred, valid = self._back(pred, mat, size)
            proj_k, _ = self._back(proj_k, mat, size)
            preds.append(pred)
            targets.append(proj_k)
            valids.append(valid)
            feats.append((feat, feat_k))

        coords = [self.view_coords(data_samples, v, inputs[0].device) for v in range(2)]
        loss = 0.
        for q, k in ((0, 1), (1, 0)):
            mask = pixpro_positive_mask(coords[q], coords[k], tuple(preds[q].shape[-2:]),
                                        tuple(targets[k].shape[-2:]), self.pos_ratio)
            if valids[q] is not None:
                mask = mask & valids[q].flatten(1)[:, :, None]
            if valids[k] is not None:
                mask = mask & valids[k].flatten(1)[:, None, :]
            loss = loss + pixel_contrast_loss(preds[q], targets[k], mask)
        losses = dict(loss_pixel=loss)

        if self.instance_loss_weight > 0:
            (f1, f1k), (f2, f2k) = feats
            p1, t1 = self._instance_vectors(f1[-1], f1k)
            p2, t2 = self._instance_vectors(f2[-1], f2k)
            ins = -2. * ((p1 * t2).sum(1).mean() + (p2 * t1).sum(1).mean())
            losses['loss_instance'] = self.instance_loss_weight * ins
        losses.update(self.wreg_losses())
        return losses
