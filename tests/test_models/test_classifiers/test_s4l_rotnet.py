"""S4L-Rotation, S4L-Exemplar's triplet loss and RotNet: hand-computed inputs, the hand-off of a
RotNet backbone into a classifier with frozen first blocks, and short Runner trainings."""
import math
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.runner import Runner
from mmpretrain.structures import DataSample

from densessl.models.classifiers import RotNet, S4LExemplar, S4LRotation, batch_hard_triplet_loss, exemplar_copies
from densessl.models.ssl import rotate_batch
from densessl.utils import register_all_modules

from .cls_fixtures import REPO, TINY_BACKBONE, TINY_WIDTH, tiny_classifier, tiny_config

S4L_CFG = osp.join(REPO, 'configs', 's4l', 's4l-rotation_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py')
EXEMPLAR_CFG = osp.join(REPO, 'configs', 's4l', 's4l-exemplar_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py')
ROTNET_CFG = osp.join(REPO, 'configs', 'rotnet', 'rotnet_resnet18-cifar_1xb128-sgd-cos-50k_fmnist.py')
RECIPE = osp.join(REPO, 'configs', 'rotnet', 'rotnet-frozen2_resnet18-cifar_supervised_fmnist-40labels.py')


@pytest.fixture(autouse=True, scope='module')
def _registry():
    register_all_modules()


def test_triplet_loss_hand_computed():
    far = torch.tensor([[0., 0.], [0., 0.5], [10., 0.], [10., 0.5]])
    ids = torch.tensor([0, 0, 1, 1])
    assert batch_hard_triplet_loss(far, ids, margin=1.0).item() == 0.0  # separated clusters: zero
    assert batch_hard_triplet_loss(far, ids).item() == pytest.approx(F.softplus(torch.tensor(-9.5)).item(), rel=1e-5)
    emb = torch.tensor([[0.], [1.], [3.]])
    ids = torch.tensor([0, 0, 1])
    # anchor 0: d_ap 1, d_an 3; anchor 1: d_ap 1, d_an 2; anchor 2 has no positive
    soft = (F.softplus(torch.tensor(-2.)) + F.softplus(torch.tensor(-1.))) / 2
    assert batch_hard_triplet_loss(emb, ids).item() == pytest.approx(soft.item(), rel=1e-6)
    assert batch_hard_triplet_loss(emb, ids, margin=2.0).item() == pytest.approx(0.5)
    emb.requires_grad_(True)
    batch_hard_triplet_loss(emb, ids, margin=2.0).backward()
    # only anchor 1 is active: (2 + |e1 - e0| - |e2 - e1|) / 2 -> gradient (-1/2, 1, -1/2)
    assert emb.grad.view(-1).tolist() == pytest.approx([-0.5, 1.0, -0.5])
    assert batch_hard_triplet_loss(emb, torch.zeros(3, dtype=torch.long)).item() == 0.0  # no negatives


def test_exemplar_copies_keep_identity_order():
    torch.manual_seed(0)
    x = torch.stack([torch.full((3, 8, 8), float(i)) for i in range(3)])
    copies = exemplar_copies(x, 4, crop_scale=(0.5, 1.0), noise_std=0.01)
    assert copies.shape == (12, 3, 8, 8)
    # constant images stay (about) constant under crop / flip: copy k*N+i still comes from image i
    assert torch.allclose(copies.mean((1, 2, 3)), torch.arange(3.).repeat(4), atol=0.02)


def test_s4l_rotation_losses():
    torch.manual_seed(0)
    model = S4LRotation(classifier=tiny_classifier(num_classes=10), semi_train_cfg=dict(rotation_weight=0.5))
    assert model.rotation_head.in_features == TINY_WIDTH
    assert set(model.teacher.state_dict()) == set(model.student.state_dict())  # EMA pairs stay identical
    x_sup, x_u = torch.randn(2, 3, 16, 16), torch.randn(3, 3, 16, 16)
    samples = [DataSample().set_gt_label(4), DataSample().set_gt_label(9)]
    model.train()
    losses = model.loss({'sup': x_sup, 'unsup_teacher': x_u}, {'sup': samples})
    xr_sup, _ = rotate_batch(x_sup)
    xr_u, _ = rotate_batch(x_u)
    (logits, f_sup), (_, f_u) = model.forward_student(xr_sup, xr_u, with_feats=True)
    # BN statistics moved by the first call do not matter in train mode (batch statistics normalise)
    assert losses['sup_loss'].item() == pytest.approx(
        F.cross_entropy(logits, torch.tensor([4, 9] * 4)).item(), rel=1e-5)
    rot = model.rotation_head(torch.cat([f_sup, f_u]))
    expected_rot = 0.5 * F.cross_entropy(rot, torch.tensor([0, 0, 1, 1, 2, 2, 3, 3] + [0] * 3 + [1] * 3 + [2] * 3 + [3] * 3))
    assert losses['unsup_loss_rot'].item() == pytest.approx(expected_rot.item(), rel=1e-5)
    losses['unsup_loss_rot'].backward()
    assert model.rotation_head.weight.grad.abs().sum() > 0
    labeled_only = S4LRotation(classifier=tiny_classifier(), semi_train_cfg=dict(rotate_unlabeled=False))
    assert labeled_only.required_unsup_branches == ()
    assert 'unsup_loss_rot' in labeled_only.loss({'sup': x_sup}, {'sup': samples})


def test_rotnet_learns_rotations_of_a_fixed_batch():
    torch.manual_seed(0)
    model = RotNet(backbone=dict(TINY_BACKBONE), neck=dict(type='mmpretrain.GlobalAveragePooling'),
                   head=dict(type='mmpretrain.LinearClsHead', num_classes=4, in_channels=TINY_WIDTH,
                             loss=dict(type='mmpretrain.CrossEntropyLoss')))
    model.init_weights()
    x = torch.rand(8, 3, 12, 12)
    x[:, :, :4] += 2.0  # a bright top band: the rotation is visible
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    first = None
    for _ in range(40):
        losses = model.loss(x)
        first = first if first is not None else losses['loss_rot'].item()
        opt.zero_grad()
        losses['loss_rot'].backward()
        opt.step()
    assert first > 1.2 and losses['loss_rot'].item() < 0.3 * first
    assert losses['rot_acc'].item() > 0.9
    with pytest.raises(ValueError, match='4 rotations'):
        RotNet(backbone=dict(TINY_BACKBONE), head=dict(type='mmpretrain.LinearClsHead', num_classes=10,
                                                         in_channels=TINY_WIDTH))


@pytest.mark.parametrize('cfg_path,cls,key', [(S4L_CFG, S4LRotation, 'unsup_loss_rot'),
                                              (EXEMPLAR_CFG, S4LExemplar, 'unsup_loss_triplet')])
def test_s4l_runner(tmp_path, cfg_path, cls, key):
    cfg = tiny_config(cfg_path, str(tmp_path), max_iters=2, batch_size=4)
    runner = Runner.from_cfg(cfg)
    assert type(runner.model) is cls
    runner.train()
    hist = runner.message_hub.log_scalars
    for k in ('train/sup_loss', f'train/{key}'):
        assert all(math.isfinite(v) for v in hist[k].data[0]), k


def test_rotnet_runner_and_hand_off_to_frozen_classifier(tmp_path):
    cfg = tiny_config(ROTNET_CFG, str(tmp_path), max_iters=2, batch_size=4)
    cfg.train_dataloader.dataset.indices = 32
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert all(math.isfinite(v) for v in runner.message_hub.log_scalars['train/loss_rot'].data[0])
    ckpt = osp.join(str(tmp_path), 'rotnet.pth')
    runner.save_checkpoint(str(tmp_path), 'rotnet.pth')
    from densessl.apis import extract_backbone
    bb_file = osp.join(str(tmp_path), 'backbone.pth')
    weights = extract_backbone(ckpt, bb_file)
    assert torch.equal(weights['layer1.0.conv1.weight'], runner.model.backbone.layer1[0].conv1.weight)
    # stage 2 as the recipe builds it: the classifier backbone from the file, stem + first 2 stages frozen
    from densessl.registry import MODELS
    clf = tiny_classifier()
    clf['backbone'].update(frozen_stages=1, init_cfg=dict(type='Pretrained', checkpoint=bb_file))
    model = MODELS.build(dict(type='SemiBaseClassifier', classifier=clf))
    model.init_weights()
    model.train()
    bb = model.student.backbone
    assert torch.equal(bb.layer2[1].conv2.weight, weights['layer2.1.conv2.weight'])
    assert not bb.conv1.weight.requires_grad and not bb.layer1[0].conv1.weight.requires_grad
    assert bb.layer2[0].conv1.weight.requires_grad
    assert not bb.layer1[0].bn1.training  # frozen stages keep their BN statistics
    recipe = Config.fromfile(RECIPE)
    assert recipe.stages[1]['backbone_key'] == 'model.classifier.backbone'
    assert recipe.stages[1]['cfg_options']['model.classifier.backbone.frozen_stages'] == 2
