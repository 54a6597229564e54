"""Rebuffi et al.'s alternating optimisation: the seeded 2/3 subset, phase 1 touching only the classifier, exact
resets to the pretext weights, the phase-2 loss on hand-computed numbers, and a short Runner training with the
refresh hook."""
import math
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner
from mmpretrain.structures import DataSample

from densessl.models.classifiers import AlternatingClassifier, random_subset_mask
from densessl.utils import register_all_modules
from tests.helpers.semi_cfg import merged_semi_cfgs

from .cls_fixtures import FMNIST_ROOT, REPO, state_copy, tiny_classifier, tiny_config

ALT_CFG = osp.join(REPO, 'configs', 'alternating',
                   'alternating_resnet18-cifar_1xb64-mu7-sgd-cosrestart-58k_fmnist-40labels.py')


@pytest.fixture(autouse=True, scope='module')
def _registry():
    register_all_modules()


def _samples(labels, idx=None):
    idx = idx if idx is not None else range(len(labels))
    return [DataSample(metainfo=dict(sample_idx=i)).set_gt_label(lb) for lb, i in zip(labels, idx)]


def _model(**cfg):
    semi = dict(num_samples=6, phase1_iters=2, phase2_iters=4, epoch_iters=2, num_rounds=2)
    semi.update(cfg)
    torch.manual_seed(0)
    model = AlternatingClassifier(classifier=tiny_classifier(num_classes=3), semi_train_cfg=semi)
    model.init_weights()
    model.train()
    return model


def test_random_subset_is_two_thirds_seeded_and_reshuffled():
    masks = [random_subset_mask(30, 2 / 3, seed=0, epoch=e) for e in range(4)]
    assert all(int(m.sum()) == 20 for m in masks)
    assert torch.equal(masks[0], random_subset_mask(30, 2 / 3, seed=0, epoch=0))  # seeded
    assert all(not torch.equal(masks[0], m) for m in masks[1:])  # reshuffled every epoch
    assert not torch.equal(masks[0], random_subset_mask(30, 2 / 3, seed=1, epoch=0))
    assert bool(random_subset_mask(5, 1.0).all())
    with pytest.raises(ValueError, match='ratio'):
        random_subset_mask(5, 0.0)
    with pytest.raises(ValueError, match='num_samples'):
        random_subset_mask(0, 0.5)


def _step(model, opt, x_sup, y, x_u, idx):
    losses = model.loss({'sup': x_sup, 'unsup_teacher': x_u}, {'sup': _samples(y), 'unsup_teacher': _samples(
        [0] * len(idx), idx)})
    total = sum(v for k, v in losses.items() if 'loss' in k)
    opt.zero_grad(set_to_none=True)
    total.backward()
    opt.step()
    return losses


def _frozen(key):
    """Keys of the stem and the first stage of the tiny ResNet_CIFAR (frozen_stages=1)."""
    return key.startswith(('backbone.conv1.', 'backbone.norm1.', 'backbone.layer1.'))


def test_cycles_alternate_one_loss_at_a_time_and_reset_to_the_pretext_weights():
    """Seed 000: "alternating two phases, one fitting the labelled points and one fitting the unlabelled ones";
    phase 1 (linear refit, then pseudo-labels) in every cycle, the first blocks frozen, the 2/3 subset drawn per
    cycle and the last cycle on all the unlabeled data."""
    model = _model()
    assert model.total_iters == 12 and model.cycle_iters == 6
    assert [model.phase(t) for t in range(14)] == [1, 1, 2, 2, 2, 2, 1, 1, 2, 2, 2, 2, 2, 2]
    assert [t for t in range(14) if model.refresh_due(t)] == [2, 4, 8, 10]
    opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.5, momentum=0.9,
                          weight_decay=5e-4)
    pretext = state_copy(model.student)
    frozen = [k for k in pretext if _frozen(k)]
    assert frozen and all(not p.requires_grad for n, p in model.student.named_parameters() if _frozen(n))
    x_sup, y = torch.randn(3, 3, 16, 16), [0, 1, 2]
    x_u, idx = torch.randn(4, 3, 16, 16), [0, 2, 3, 5]
    for _ in range(2):  # cycle 0, phase 1: the labeled loss only, on the classifier only
        losses = _step(model, opt, x_sup, y, x_u, idx)
        assert set(k for k in losses if 'loss' in k) == {'sup_loss'} and losses['phase'].item() == 1
    after = model.student.state_dict()
    head = {k for k in after if k.startswith('head.')}
    assert head and all(not torch.equal(after[k], pretext[k]) for k in head if after[k].is_floating_point())
    for k, v in pretext.items():  # backbone weights and BN statistics untouched, bit for bit
        if k not in head:
            assert torch.equal(after[k], v), k
    assert torch.equal(model.pretext.state_dict()['backbone.conv1.weight'], pretext['backbone.conv1.weight'])
    # phase 2 of cycle 0 starts: pseudo-labels of the phase-1 network, exact reset, the cycle's 2/3 subset
    probs = torch.softmax(torch.randn(6, 3), dim=1)
    assert model.refresh(2, probs) == dict(reset=True)
    assert not model.refresh_due(2)  # done for this step
    for net in (model.student, model.teacher):
        state = net.state_dict()
        assert all(torch.equal(state[k], v) for k, v in pretext.items())
    assert torch.equal(model.pl_probs, probs) and torch.equal(model.te_target, probs)
    assert torch.equal(model.subset_mask, random_subset_mask(6, 2 / 3, 0, 0)) and int(model.subset_mask.sum()) == 4
    for _ in range(2):  # phase 2: the unlabeled losses only, the labeled images are not even forwarded
        losses = _step(model, opt, x_sup, y, x_u, idx)
        assert set(k for k in losses if 'loss' in k) == {'unsup_loss_te', 'unsup_loss_pl'}
        assert losses['phase'].item() == 2
    state = model.student.state_dict()
    assert not torch.equal(state['backbone.layer2.0.conv1.weight'], pretext['backbone.layer2.0.conv1.weight'])
    assert all(torch.equal(state[k], pretext[k]) for k in frozen)  # the first blocks stay frozen
    # next epoch of phase 2: new ensemble target, same pseudo-labels, same subset, no reset
    probs2 = torch.softmax(torch.randn(6, 3), dim=1)
    assert model.refresh(4, probs2) == dict(reset=False)
    assert torch.equal(model.te_target, probs2) and torch.equal(model.pl_probs, probs)
    assert torch.equal(model.subset_mask, random_subset_mask(6, 2 / 3, 0, 0))
    model.ssl_iter.fill_(6)  # cycle 1, phase 1 again: the classifier is refitted on the frozen phase-2 features
    before = state_copy(model.student)
    losses = _step(model, opt, x_sup, y, x_u, idx)
    assert set(k for k in losses if 'loss' in k) == {'sup_loss'} and losses['phase'].item() == 1
    moved = {k for k, v in model.student.state_dict().items() if not torch.equal(v, before[k])}
    assert moved and moved <= head
    # cycle 1 is the last: every unlabeled sample, pseudo-labels from the current model, exact reset again
    probs3 = torch.softmax(torch.randn(6, 3), dim=1)
    assert model.refresh(8, probs3)['reset']
    assert all(torch.equal(model.student.state_dict()[k], v) for k, v in pretext.items())
    assert torch.equal(model.pl_probs, probs3) and bool(model.subset_mask.all())
    assert not model.refresh_due(12)
    with pytest.raises(ValueError, match=r'\(6, 3\)'):
        model.refresh(8, torch.zeros(5, 3))


def test_temporal_ensemble_momentum():
    model = _model(te_alpha=0.6)
    p1, p2 = torch.softmax(torch.randn(6, 3), 1), torch.softmax(torch.randn(6, 3), 1)
    model.refresh(2, p1)
    model.refresh(4, p2)
    assert torch.allclose(model.te_target, 0.6 * p1 + 0.4 * p2)


def test_phase2_loss_hand_computed():
    model = _model(unsup_weight=2.0)
    model.refresh(2, torch.full((6, 3), 1 / 3))
    model.subset_mask.copy_(torch.tensor([True, False, True, False, False, False]))
    model.te_target[0] = torch.tensor([0.5, 0.25, 0.25])
    model.te_target[2] = torch.tensor([1.0, 0.0, 0.0])
    model.pl_probs[0] = torch.tensor([0.1, 0.8, 0.1])  # pseudo-label 1
    model.pl_probs[2] = torch.tensor([0.2, 0.3, 0.5])  # pseudo-label 2
    logits = torch.tensor([[0., 0., 0.], [1., 0., 0.], [5., 5., 5.]], requires_grad=True)
    out = model.loss_unsup(logits, torch.tensor([0, 2, 1]))  # sample 1 is outside the subset
    # sample 0: p = (1/3, 1/3, 1/3); sample 2: p = (e, 1, 1) / (e + 2)
    kl0 = 0.5 * math.log(1.5) + 0.5 * math.log(0.75)
    kl2 = -math.log(math.e / (math.e + 2))
    ce0, ce2 = math.log(3), math.log(math.e + 2)
    assert out['unsup_loss_te'].item() == pytest.approx(2.0 * 0.5 * (kl0 + kl2) / 2, rel=1e-5)
    assert out['unsup_loss_pl'].item() == pytest.approx(2.0 * 0.5 * (ce0 + ce2) / 2, rel=1e-5)
    assert out['unsup_mask_ratio'].item() == pytest.approx(2 / 3)
    (out['unsup_loss_te'] + out['unsup_loss_pl']).backward()
    assert logits.grad[2].abs().sum() == 0 and logits.grad[:2].abs().sum() > 0  # unselected: no gradient
    none = model.loss_unsup(torch.zeros(1, 3), torch.tensor([1]))
    assert none['unsup_loss_te'].item() == 0 and none['unsup_loss_pl'].item() == 0


def test_bad_configs_and_missing_refresh():
    with pytest.raises(ValueError, match='num_samples'):
        AlternatingClassifier(classifier=tiny_classifier(), semi_train_cfg=dict(phase1_iters=1))
    with pytest.raises(ValueError, match='epoch_iters'):
        _model(epoch_iters=0)
    model = _model(phase1_iters=0)
    with pytest.raises(RuntimeError, match='PseudoLabelRefreshHook'):
        model.loss({'sup': torch.randn(2, 3, 16, 16), 'unsup_teacher': torch.randn(2, 3, 16, 16)},
                   {'sup': _samples([0, 1]), 'unsup_teacher': _samples([0, 0])})
    model.student.backbone = torch.nn.Conv2d(3, 3, 1)
    with pytest.raises(ValueError, match='frozen_stages=-1'):
        model._freeze_first_blocks(1)


def test_config_schedule_matches_the_phases():
    cfg = Config.fromfile(ALT_CFG)
    semi = merged_semi_cfgs(cfg.model)[0]  # the class's defaults + the config's values
    assert cfg.train_cfg.max_iters == semi.num_rounds * (semi.phase1_iters + semi.phase2_iters)
    assert semi.te_weight == semi.pl_weight == 0.5 and semi.subset_ratio == pytest.approx(2 / 3)
    assert semi.full_data_rounds == 1 and semi.frozen_stages == 1 and semi.get('reset_to_pretext', True)
    assert list(cfg.param_scheduler[0].periods) == [semi.phase1_iters, semi.phase2_iters] * semi.num_rounds
    with open(osp.join(REPO, 'data', 'splits', 'fashion_mnist', '40labels', 'unlabeled.txt')) as f:
        assert semi.num_samples == sum(1 for line in f if line.strip())
    assert sum(cfg.param_scheduler[0].periods) == cfg.train_cfg.max_iters


def test_runner_alternates_with_the_refresh_hook(tmp_path):
    cfg = tiny_config(ALT_CFG, str(tmp_path), max_iters=6, batch_size=8)
    cfg.model.semi_train_cfg.update(num_samples=40, phase1_iters=2, phase2_iters=4, epoch_iters=2, num_rounds=1,
                                    full_data_rounds=0)
    loader = cfg.custom_hooks[1].dataloader
    loader.update(num_workers=0, batch_size=16)
    loader.dataset.update(data_root=FMNIST_ROOT, split_file=osp.join(str(tmp_path), 'split', 'unlabeled.txt'))
    runner = Runner.from_cfg(cfg)
    model = runner.model
    model.init_weights()
    start = state_copy(model.student)
    runner.train()
    hist = runner.message_hub.log_scalars
    assert hist['train/phase'].data[0].tolist() == [1, 1, 2, 2, 2, 2]
    for key in ('train/unsup_loss_te', 'train/unsup_loss_pl', 'train/sup_loss'):
        assert all(math.isfinite(v) for v in hist[key].data[0]), key
    assert int(model.refreshed_step) == 4 and bool(model.pretext_saved)
    assert all(torch.equal(model.pretext.state_dict()[k], v) for k, v in start.items())
    assert all(torch.equal(model.student.state_dict()[k], v) for k, v in start.items() if _frozen(k))
    # the stored predictions are the student's softmax on the unlabeled set: rows are distributions
    assert torch.allclose(model.te_target.sum(1), torch.ones(40))
    assert int(model.subset_mask.sum()) == round(40 * 2 / 3)


def test_refresh_hook_clears_the_optimiser_state_on_a_reset():
    from types import SimpleNamespace

    from mmengine.logging import MMLogger

    from densessl.engine.hooks import PseudoLabelRefreshHook
    model = _model()
    opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1, momentum=0.9)
    _step(model, opt, torch.randn(3, 3, 16, 16), [0, 1, 2], torch.randn(2, 3, 16, 16), [0, 1])
    assert opt.state  # momentum buffers of the head
    hook = PseudoLabelRefreshHook(dataloader=None)
    probs = torch.softmax(torch.randn(6, 3), 1)
    hook.predict = lambda runner, model=None: probs
    runner = SimpleNamespace(model=model, iter=1, optim_wrapper=SimpleNamespace(optimizer=opt),
                             logger=MMLogger.get_current_instance())
    hook.before_train_iter(runner, 0)  # step 1: phase 1, nothing due
    assert opt.state and int(model.refreshed_step) == -1
    runner.iter = 2
    hook.before_train_iter(runner, 0)
    assert not opt.state and int(model.refreshed_step) == 2 and torch.equal(model.pl_probs, probs)
    with pytest.raises(AttributeError, match='refresh_due'):
        hook.before_train(SimpleNamespace(model=torch.nn.Linear(1, 1)))
