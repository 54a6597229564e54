"""FixMatch / FlexMatch: the unlabeled loss on hand-made logits, the semi-supervised wiring, and a short Runner
training from the repository's config."""
import math

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.runner import Runner
from mmpretrain.structures import DataSample

from densessl.models.classifiers import FixMatch, FlexMatch, SemiBaseClassifier
from densessl.utils import register_all_modules

from tests.helpers.semi_cfg import merged_semi_cfgs
from .cls_fixtures import FIXMATCH_CFG, state_copy, tiny_classifier, tiny_config


@pytest.fixture(autouse=True, scope='module')
def _registry():
    register_all_modules()


def _samples(labels, start=0):
    return [DataSample(metainfo=dict(sample_idx=start + i)).set_gt_label(int(y)) for i, y in enumerate(labels)]


def test_unsup_loss_hand_computed():
    torch.manual_seed(0)
    model = FixMatch(classifier=tiny_classifier(num_classes=3), semi_train_cfg=dict(threshold=0.95))
    # sample 0: softmax([6, 0, 0]) max = 0.9951 >= 0.95 -> label 0 kept; sample 1: [1, 0, 0] -> 0.576, dropped
    weak = torch.tensor([[6., 0., 0.], [1., 0., 0.]])
    strong = torch.tensor([[0., 2., 0.], [0., 0., 5.]], requires_grad=True)
    out = model.loss_unsup(weak, strong, _samples([0, 2]))
    expected = F.cross_entropy(strong[:1], torch.tensor([0])) / 2  # mean over both unlabeled samples
    assert out['unsup_loss'].item() == pytest.approx(expected.item(), rel=1e-6)
    assert out['unsup_mask_ratio'].item() == 0.5
    assert out['unsup_pl_acc'].item() == 1.0  # the kept pseudo-label (0) is right
    assert out['unsup_all_acc'].item() == 0.5  # sample 1 would be labeled 0 but is 2
    out['unsup_loss'].backward()
    assert strong.grad[1].abs().sum() == 0 and strong.grad[0].abs().sum() > 0  # masked sample gets no gradient


def test_threshold_one_disables_and_zero_keeps_all():
    model = FixMatch(classifier=tiny_classifier(num_classes=3), semi_train_cfg=dict(threshold=0.0))
    weak = torch.tensor([[1., 0., 0.], [0., 0.2, 0.]])
    strong = torch.zeros(2, 3)
    out = model.loss_unsup(weak, strong)
    assert out['unsup_loss'].item() == pytest.approx(math.log(3), rel=1e-6)
    assert 'unsup_pl_acc' not in out  # no labels on the unlabeled samples: no diagnostic
    model = FixMatch(classifier=tiny_classifier(num_classes=3), semi_train_cfg=dict(threshold=1.0))
    assert model.loss_unsup(weak, strong)['unsup_loss'].item() == 0.0


def test_flexmatch_memory_uses_sample_indices():
    model = FlexMatch(classifier=tiny_classifier(num_classes=3),
                      semi_train_cfg=dict(confidence=dict(num_samples=10)))
    assert model.confidence_mask.num_classes == 3
    weak = torch.tensor([[9., 0., 0.], [0., 9., 0.], [0., 0.3, 0.]])
    model.train()
    out = model.loss_unsup(weak, torch.zeros(3, 3), _samples([0, 1, 2], start=5))
    # before any confident prediction every class threshold is 0: all three pass
    assert out['unsup_mask_ratio'].item() == 1.0
    assert model.confidence_mask.selected_label.tolist() == [-1] * 5 + [0, 1, -1, -1, -1]


def test_cfg_checks_and_predict_on():
    with pytest.raises(ValueError, match=r"unknown semi_train_cfg key\(s\) \['tau'\]"):
        FixMatch(classifier=tiny_classifier(), semi_train_cfg=dict(tau=0.9))
    with pytest.raises(ValueError, match='pseudo_label_from'):
        FixMatch(classifier=tiny_classifier(), semi_train_cfg=dict(pseudo_label_from='ema'))
    with pytest.raises(ValueError, match='predict_on'):
        SemiBaseClassifier(classifier=tiny_classifier(), semi_test_cfg=dict(predict_on='both'))
    model = FixMatch(classifier=tiny_classifier(), semi_train_cfg=dict(confidence=dict(threshold=0.7)))
    assert model.confidence_mask.threshold == 0.7 and model.confidence_mask.mode == 'pixel'
    assert all(not p.requires_grad for p in model.teacher.parameters())
    with torch.no_grad():
        for p in model.teacher.parameters():
            p.add_(1.0)
    x = torch.randn(2, 3, 28, 28)
    model.eval()
    assert torch.allclose(model(x, mode='tensor'), model.teacher(x, mode='tensor'))
    model.semi_test_cfg['predict_on'] = 'student'
    assert torch.allclose(model(x, mode='tensor'), model.student(x, mode='tensor'))


def test_mmseg_loss_in_the_head_is_refused():
    clf = tiny_classifier()
    clf['head']['loss'] = dict(type='CrossEntropyLoss')  # resolves to mmseg's class under the densessl scope
    with pytest.raises(ValueError, match="mmpretrain.CrossEntropyLoss"):
        FixMatch(classifier=clf)


def test_predictions_can_carry_features_for_clustering():
    from densessl.evaluation.clustering import ClusteringAccuracy
    model = FixMatch(classifier=tiny_classifier(), semi_test_cfg=dict(attach_features=True))
    model.eval()
    x = torch.randn(6, 3, 28, 28)
    samples = model.predict(x, _samples([0, 1, 2, 0, 1, 2]))
    feats = model.teacher.head.pre_logits(model.teacher.extract_feat(x))
    assert all(torch.allclose(s.feat, f) for s, f in zip(samples, feats))
    assert samples[0].pred_score.shape == (10, )
    metric = ClusteringAccuracy()
    metric.process(None, [s.to_dict() for s in samples])
    assert 0 <= metric.evaluate(6)['clustering/accuracy'] <= 100


def test_missing_branch_is_reported():
    model = FixMatch(classifier=tiny_classifier())
    with pytest.raises(ValueError, match=r"no \['unsup_student'\] samples"):
        model.loss({'sup': torch.zeros(1, 3, 28, 28), 'unsup_teacher': torch.zeros(1, 3, 28, 28)},
                   {'sup': _samples([0]), 'unsup_teacher': _samples([0])})


def test_plain_checkpoint_loads_into_student_and_teacher():
    model = FixMatch(classifier=tiny_classifier())
    plain = model.student.state_dict()
    plain = {k: torch.randn_like(v) if v.is_floating_point() else v for k, v in plain.items()}
    model.load_state_dict(plain, strict=True)  # strict: no missing or unexpected key
    for k, v in plain.items():
        assert torch.equal(model.student.state_dict()[k], v) and torch.equal(model.teacher.state_dict()[k], v)


def test_fixmatch_schedule_is_the_paper_cosine():
    cfg = Config.fromfile(FIXMATCH_CFG)
    sched = cfg.param_scheduler[0]
    k_total = cfg.train_cfg.max_iters
    assert k_total == 2**20 and cfg.optim_wrapper.optimizer.lr == 0.03 and cfg.optim_wrapper.optimizer.nesterov
    from mmengine.optim.scheduler import CosineAnnealingLR
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=0.03)
    sched = CosineAnnealingLR(opt, T_max=sched.T_max, eta_min=sched.eta_min, begin=0, end=k_total, by_epoch=False)
    for k in range(3000):
        if k in (0, 1234, 2999):
            assert opt.param_groups[0]['lr'] == pytest.approx(0.03 * math.cos(7 * math.pi * k / (16 * k_total)))
        opt.step()
        sched.step()
    semi = merged_semi_cfgs(cfg.model)[0]  # FixMatch's class defaults + the config's deviations (none)
    assert semi.confidence.threshold == 0.95 and semi.unsup_weight == 1.0
    assert cfg.train_dataloader.sampler.source_ratio == [1, 7] and cfg.train_dataloader.batch_size == 64 * 8
    assert cfg.custom_hooks[0].teacher_momentum == 0.999


def test_runner_trains_end_to_end(tmp_path):
    cfg = tiny_config(FIXMATCH_CFG, str(tmp_path), max_iters=3, batch_size=8)
    runner = Runner.from_cfg(cfg)
    model = runner.model
    assert isinstance(model, FixMatch)
    model.init_weights()  # what runner.train() does first (only once)
    before = state_copy(model.student)
    runner.train()
    hist = runner.message_hub.log_scalars
    for key in ('train/sup_loss', 'train/unsup_loss', 'train/unsup_mask_ratio', 'train/unsup_pl_acc'):
        assert key in hist, key
        assert all(math.isfinite(v) for v in hist[key].data[0])
    assert int(model.ssl_iter) == 3
    after_student = model.student.state_dict()
    changed = [k for k, v in before.items() if v.is_floating_point() and not torch.equal(v, after_student[k])]
    assert changed, 'the student did not train'
    # EMA teacher (0.999): moved off the initial student, but stays much closer to it than the student
    w = 'backbone.conv1.weight'
    t, s0, s = model.teacher.state_dict()[w], before[w], after_student[w]
    assert not torch.equal(t, s0)
    assert (t - s0).norm() < 0.01 * (s - s0).norm()
    metrics = runner.val_loop.run()
    assert {'teacher/accuracy/top1', 'student/accuracy/top1', 'accuracy/top1'} <= set(metrics)
    assert metrics['accuracy/top1'] == metrics['teacher/accuracy/top1']
