"""S4L (Zhai et al. 2019): self-supervised semi-supervised learning with a rotation (or exemplar) pretext task
trained jointly with the supervised loss.

**S4L-Rotation** (:class:`S4LRotation`)::

    xr_sup, yr = rotate_batch(x_sup)  (labels repeated 4x)     xr_u, r_u = rotate_batch(weak(u))
    logits, feats = student([xr_sup, xr_u])                      # one forward over 4 (B + mu B) images
    loss = CE(logits_sup, y repeated)                            # supervised loss on all 4 rotated copies
         + w * CE(rotation_head(feats of all copies), rotation labels)       # 4-way rotation task

The rotation term is a self-supervised loss with its own weight ``w``, active from the first step: it is not
multiplied by ``unsup_weight`` or the unsupervised ramp (S4L, Eq. 1: min L_l(D_l) + w L_u(D_u); the ramp belongs to
pseudo-label / consistency terms such as MOAM's VAT).

The rotation head is a linear layer on the backbone's pooled features, outside the student / teacher pair (so
the EMA teacher stays a plain classifier).

**S4L-Exemplar** (:class:`S4LExemplar`): ``K`` augmented copies of every unlabeled image (made on the batch
with kornia, :func:`exemplar_copies`) and the batch-hard triplet loss with soft margin on their (L2-normalised) features
(:func:`batch_hard_triplet_loss`), plus the supervised loss.
"""
from typing import Dict, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from densessl.models.ssl import NUM_ROTATIONS, rotate_batch
from densessl.registry import MODELS
from .semi_base_classifier import SemiBaseClassifier

__all__ = ['S4LRotation', 'S4LExemplar', 'batch_hard_triplet_loss', 'exemplar_copies']


def _feat_dim(model: nn.Module) -> int:
    fc = getattr(model.head, 'fc', None)
    if fc is None:
        raise AttributeError('S4L needs a LinearClsHead-like head (with .fc) to size its pretext head')
    return fc.in_features


@MODELS.register_module()
class S4LRotation(SemiBaseClassifier):
    """S4L-Rotation: supervised loss on rotated labeled copies + 4-way rotation loss on every image.

    ``semi_train_cfg`` keys (besides the base keys): ``rotation_weight`` (``w``, 1.0; not ramped, not scaled by
    ``unsup_weight``), ``rotate_labeled``
    (supervised loss on all 4 rotations of the labeled images, True; False: on the upright copies only),
    ``rotate_unlabeled`` (rotation task on the unlabeled images too, True; False = the labeled-only rotation
    baseline). Unlabeled images are read from the ``unsup_teacher`` (weak) branch.

    Losses: ``sup_loss``, ``unsup_loss_rot``; logs: ``unsup_rot_acc``.
    """

    default_semi_train_cfg = dict(SemiBaseClassifier.default_semi_train_cfg, rotation_weight=1.0,
                                  rotate_labeled=True, rotate_unlabeled=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rotation_head = nn.Linear(_feat_dim(self.student), NUM_ROTATIONS)

    @property
    def required_unsup_branches(self):
        return ('unsup_teacher', ) if self.semi_train_cfg['rotate_unlabeled'] else ()

    def loss_semi(self, inputs: Dict[str, Tensor], data_samples: Dict[str, list]) -> dict:
        cfg = self.semi_train_cfg
        x_sup = inputs['sup']
        n_sup = x_sup.shape[0]
        xr_sup, r_sup = rotate_batch(x_sup)
        batches, rot_labels = [xr_sup], [r_sup]
        if cfg['rotate_unlabeled']:
            xr_u, r_u = rotate_batch(inputs['unsup_teacher'])
            batches.append(xr_u)
            rot_labels.append(r_u)
        outs = self.forward_student(*batches, with_feats=True)
        logits_sup, feats_sup = outs[0]
        samples = data_samples['sup']
        if cfg['rotate_labeled']:
            samples = list(samples) * NUM_ROTATIONS  # the class does not change under rotation
        else:
            logits_sup = logits_sup[:n_sup]
        losses = self.sup_loss(logits_sup, samples)
        feats = torch.cat([f for _, f in outs])
        rot_logits = self.rotation_head(feats)
        rot_target = torch.cat(rot_labels)
        losses['unsup_loss_rot'] = F.cross_entropy(rot_logits, rot_target) * cfg['rotation_weight']
        losses['unsup_rot_acc'] = (rot_logits.argmax(1) == rot_target).float().mean().detach()
        return losses


def batch_hard_triplet_loss(embeddings: Tensor, labels: Tensor, margin: Optional[float] = None) -> Tensor:
    r"""Batch-hard triplet loss (Hermans et al. 2017) on Euclidean distances.

    For every anchor, the farthest positive (same label) and the closest negative (other label) form the
    triplet; the loss is :math:`\log(1 + \exp(d_{ap} - d_{an}))` (soft margin, ``margin=None``, S4L-Exemplar)
    or :math:`\max(0, m + d_{ap} - d_{an})`, averaged over the anchors that have a positive and a negative.

    Args:
        embeddings (Tensor): one embedding per sample.
        labels (Tensor): identity of each sample (the image an exemplar copy comes from).
        margin (float, optional): hard margin :math:`m`; ``None`` for the soft margin.

    Shape:
        - embeddings: :math:`(N, D)`; labels: :math:`(N,)`
        - output: scalar

    Returns:
        Tensor: the loss (0 when no anchor has both a positive and a negative).

    Examples:
        >>> emb = torch.tensor([[0., 0.], [0., 0.1], [10., 0.], [10., 0.1]])
        >>> batch_hard_triplet_loss(emb, torch.tensor([0, 0, 1, 1]), margin=1.0)
        tensor(0.)
    """
    if embeddings.dim() != 2 or labels.shape != embeddings.shape[:1]:
        raise ValueError(f'embeddings must be (N, D) and labels (N,), got {tuple(embeddings.shape)} and '
                         f'{tuple(labels.shape)}')
    diff = embeddings.unsqueeze(1) - embeddings.unsqueeze(0)
    # sqrt with a floor: the gradient of the norm is undefined at 0 (an anchor and itself)
    dist = diff.pow(2).sum(-1).clamp_min(1e-12).sqrt()
    same = labels.unsqueeze(0) == labels.unsqueeze(1)
    eye = torch.eye(len(labels), dtype=torch.bool, device=labels.device)
    pos_mask, neg_mask = same & ~eye, ~same
    valid = pos_mask.any(1) & neg_mask.any(1)
    if not valid.any():
        return embeddings.sum() * 0.0
    d_ap = dist.masked_fill(~pos_mask, float('-inf')).max(1).values
    d_an = dist.masked_fill(~neg_mask, float('inf')).min(1).values
    gap = (d_ap - d_an)[valid]
    loss = F.softplus(gap) if margin is None else F.relu(margin + gap)
    return loss.mean()


def exemplar_copies(x: Tensor, num_copies: int, crop_scale=(0.4, 1.0), noise_std: float = 0.1) -> Tensor:
    """``num_copies`` random augmentations of every image of the (normalised) batch, grouped by copy.

    Each copy is a random resized crop (area share ``crop_scale``, back to the input size), a random horizontal
    flip and additive Gaussian noise (kornia), drawn independently per image and copy.

    Shape:
        - x: :math:`(N, C, H, W)`
        - output: :math:`(K N, C, H, W)`; copy ``k * N + i`` comes from image ``i``

    Returns:
        Tensor: the copies.
    """
    import kornia.augmentation as K
    aug = K.AugmentationSequential(
        K.RandomResizedCrop(tuple(x.shape[2:]), scale=tuple(crop_scale)),
        K.RandomHorizontalFlip(),
        K.RandomGaussianNoise(std=noise_std, p=1.0))
    return torch.cat([aug(x) for _ in range(num_copies)])


@MODELS.register_module()
class S4LExemplar(SemiBaseClassifier):
    """S4L-Exemplar: supervised loss + batch-hard soft-margin triplet loss between ``K`` augmented copies of
    each unlabeled image (positives: copies of the same image; negatives: copies of the others).

    The copies are made on the batch tensor of the weak unlabeled branch (``unsup_teacher``) by
    :func:`exemplar_copies` (kornia), so the data pipeline stays the usual one.

    ``semi_train_cfg`` keys (besides the base keys): ``exemplar_weight`` (1.0), ``num_copies`` (``K`` = 8),
    ``margin`` (``None``: soft margin), ``normalize`` (L2-normalise the features first, True), ``crop_scale``
    ((0.4, 1.0)), ``noise_std`` (0.1).

    Losses: ``sup_loss``, ``unsup_loss_triplet``.
    """

    default_semi_train_cfg = dict(SemiBaseClassifier.default_semi_train_cfg, exemplar_weight=1.0, num_copies=8,
                                  margin=None, normalize=True, crop_scale=(0.4, 1.0), noise_std=0.1)
    required_unsup_branches = ('unsup_teacher', )

    def loss_semi(self, inputs: Dict[str, Tensor], data_samples: Dict[str, list]) -> dict:
        cfg = self.semi_train_cfg
        x_u = inputs['unsup_teacher']
        copies = exemplar_copies(x_u, cfg['num_copies'], cfg['crop_scale'], cfg['noise_std'])
        (logits_sup, _), (_, feats_u) = self.forward_student(inputs['sup'], copies, with_feats=True)
        losses = self.sup_loss(logits_sup, data_samples['sup'])
        identity = torch.arange(x_u.shape[0], device=x_u.device).repeat(cfg['num_copies'])
        emb = F.normalize(feats_u, dim=1) if cfg['normalize'] else feats_u
        losses['unsup_loss_triplet'] = batch_hard_triplet_loss(emb, identity, cfg['margin']) * \
            cfg['exemplar_weight'] * self.unsup_factor()
        return losses
