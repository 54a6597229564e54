"""RotNet (Gidaris et al. 2018): self-supervised pretraining by predicting which of four rotations (0, 90, 180,
270 degrees) was applied to an image.

A training step on a batch of unlabeled images (labels, if any, are ignored)::

    xr, r = rotate_batch(x)                           # 4 N images, rotation labels 0..3
    loss = CE(head(neck(backbone(xr))), r)            # 4-way linear head on pooled features

The checkpoint keeps the backbone under ``backbone.`` (the layout :func:`densessl.apis.extract_backbone`
reads), so a recipe stage can hand it to a classifier whose first blocks stay frozen (mmpretrain's
``frozen_stages``), as the paper evaluates its features.
"""
from typing import List, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from torch import Tensor

from densessl.models.ssl import NUM_ROTATIONS, rotate_batch
from densessl.registry import MODELS

__all__ = ['RotNet']


@MODELS.register_module()
class RotNet(BaseModel):
    """Rotation-prediction pretraining.

    Args:
        backbone (dict): backbone config (``mmpretrain.ResNet_CIFAR`` ...).
        head (dict): a classification head with ``num_classes=4`` (``mmpretrain.LinearClsHead``).
        neck (dict, optional): neck config (``mmpretrain.GlobalAveragePooling``).
        data_preprocessor (dict, optional): defaults to ``mmpretrain.ClsDataPreprocessor``.
        init_cfg (dict, optional): initialisation config.

    Raises:
        ValueError: the head does not predict 4 classes.
    """

    def __init__(self, backbone: dict, head: dict, neck: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None, init_cfg: Optional[dict] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor or dict(type='mmpretrain.ClsDataPreprocessor'),
                         init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.neck = MODELS.build(neck) if neck is not None else None
        self.head = MODELS.build(head)
        if getattr(self.head, 'num_classes', NUM_ROTATIONS) != NUM_ROTATIONS:
            raise ValueError(f'RotNet: the head must predict {NUM_ROTATIONS} rotations, got num_classes='
                             f'{self.head.num_classes}')

    def extract_feat(self, inputs: Tensor) -> Tuple[Tensor, ...]:
        """Backbone (and neck) features."""
        x = self.backbone(inputs)
        return self.neck(x) if self.neck is not None else x

    def rotation_logits(self, inputs: Tensor) -> Tuple[Tensor, Tensor]:
        """Logits ``(4N, 4)`` of the four rotations of ``inputs`` and their labels ``(4N,)``."""
        rotated, labels = rotate_batch(inputs)
        return self.head(self.extract_feat(rotated)), labels

    def loss(self, inputs: Tensor, data_samples: Optional[list] = None) -> dict:
        logits, labels = self.rotation_logits(inputs)
        return dict(loss_rot=F.cross_entropy(logits, labels),
                    rot_acc=(logits.argmax(1) == labels).float().mean().detach())

    def forward(self, inputs: Tensor, data_samples: Optional[list] = None,
                mode: str = 'tensor') -> Union[dict, Tuple[Tensor, ...], List]:
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'tensor':
            return self.extract_feat(inputs)
        if mode == 'predict':
            # the predicted rotation of each (upright) input, as mmpretrain data samples
            from mmpretrain.structures import DataSample
            with torch.no_grad():
                scores = torch.softmax(self.head(self.extract_feat(inputs)), dim=1)
            samples = data_samples or [DataSample() for _ in range(inputs.shape[0])]
            for s, score in zip(samples, scores):
                s.set_pred_score(score).set_pred_label(score.argmax().view(1))
            return samples
        raise RuntimeError(f'Invalid mode "{mode}"')
