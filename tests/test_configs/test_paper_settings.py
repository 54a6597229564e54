"""The seeds' values, pinned in the configs that claim them (issue 12). Each test quotes the line it pins.

Config parsing only (plus mmengine's own ``Runner.scale_lr`` and the optimiser constructor on a tiny network), so
the module runs in seconds."""
import glob
import os.path as osp
from types import SimpleNamespace

import pytest
import torch.nn as nn
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.optim import build_optim_wrapper
from mmengine.runner import Runner

from tests.helpers.semi_cfg import merged_semi_cfgs

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
C = lambda *p: osp.join(REPO, 'configs', *p)  # noqa: E731
IN_PIXPRO = 'checkpoints/pixpro_base_r50_400ep_backbone.pth'
IN_SUP = 'checkpoints/resnet50-0676ba61.pth'

PIXPRO = {  # target-pretraining config -> epochs
    'pixpro_r50_1xb8-lars-200e_voc12aug-224x224.py': 200,
    'pixpro_r50_1xb8-lars-200e_cityscapes-224x224.py': 200,
    'pixpro_r50_1xb8-lars-1000e_isic2017-224x224.py': 1000,
}


def _effective_lrs(cfg, world_size=1):
    """Learning rates of the optimiser's groups after mmengine's auto_scale_lr, for ``world_size`` processes."""
    wrapper = build_optim_wrapper(nn.Sequential(nn.Conv2d(3, 4, 1), nn.BatchNorm2d(4)), cfg.optim_wrapper)
    fake = SimpleNamespace(_train_dataloader=cfg.train_dataloader.to_dict(), world_size=world_size,
                           logger=MMLogger.get_current_instance(), param_schedulers=None)
    Runner.scale_lr(fake, wrapper, cfg.get('auto_scale_lr'))
    return {g['lr'] for g in wrapper.optimizer.param_groups}


# ------------------------------------------------------------------ item 1: target-pretraining schedules
@pytest.mark.parametrize('name', sorted(PIXPRO))
def test_pixpro_target_pretraining_schedule(name):
    """Seed 003: "We reduce the learning rate 10 times from the default ImageNet experiments ... For PixPro ...
    batchsize 8, base learning rate 0.1, momentum 0.9 and total epochs 200 ... LARS" (1000 epochs for ISIC)."""
    cfg = Config.fromfile(C('pixpro', name))
    opt = cfg.optim_wrapper.optimizer
    assert opt.type == 'mmpretrain.LARS' and opt.lr == 0.1 and opt.momentum == 0.9
    assert cfg.train_dataloader.batch_size == 8
    assert cfg.auto_scale_lr == dict(enable=True, base_batch_size=256)
    assert cfg.train_cfg.max_epochs == PIXPRO[name]
    warmup, cosine = cfg.param_scheduler
    assert cosine.end == PIXPRO[name] and cosine.T_max == PIXPRO[name] - warmup.end
    # the rate follows the real total batch: 0.1 x 8 / 256 on one GPU, x 4 on four
    assert sorted(_effective_lrs(cfg)) == pytest.approx([0.1 * 8 / 256])
    assert sorted(_effective_lrs(cfg, world_size=4)) == pytest.approx([0.1 * 32 / 256])
    # Table II starts from "IN PixPro" (PixPro's ImageNet release), which the regulariser pulls toward
    assert cfg.model.backbone.init_cfg.checkpoint == IN_PIXPRO and cfg.model.weight_reg == 0.01
    insup = Config.fromfile(C('pixpro', name.replace('pixpro_r50_', 'pixpro_r50-insup_')))
    assert insup.model.backbone.init_cfg.checkpoint == IN_SUP and insup.train_cfg == cfg.train_cfg


def test_byol_and_mocov2_target_pretraining_schedules():
    """Seed 003 for BYOL: 300 epochs, batch 256, base learning rate 0.3 (per 256 images, auto-scaled); MoCo v2:
    the seed's "reduce the learning rate 10 times from the default ImageNet experiments" on MoCo v2's 0.03."""
    byol = Config.fromfile(C('byol', 'byol_resnet18-cifar_1xb256-lars-300e_cifar10.py'))
    assert byol.train_cfg.max_epochs == 300 and byol.param_scheduler[-1].end == 300
    assert byol.train_dataloader.batch_size == 256 and byol.optim_wrapper.optimizer.lr == 0.3
    assert byol.auto_scale_lr == dict(enable=True, base_batch_size=256)
    assert sorted(_effective_lrs(byol, world_size=2)) == pytest.approx([0.6])
    moco = Config.fromfile(C('mocov2', 'mocov2_resnet18-cifar_1xb256-sgd-200e_cifar10.py'))
    assert moco.optim_wrapper.optimizer.lr == pytest.approx(0.003) and moco.auto_scale_lr.enable
    assert moco.train_cfg.max_epochs == 200 and moco.model.type == 'MoCoV2'


def test_fashion_mnist_byol_demo_keeps_its_measured_schedule():
    """The demo stage (configs/byol_fixmatch_fmnist_40labels.py) keeps 200 epochs at lr 0.3, no auto scaling."""
    cfg = Config.fromfile(C('byol', 'byol_resnet18-cifar_1xb256-lars-200e_fashionmnist.py'))
    assert cfg.train_cfg.max_epochs == 200 and cfg.param_scheduler[-1].end == 200
    assert not cfg.auto_scale_lr.get('enable', False) and cfg.optim_wrapper.optimizer.lr == 0.3


# ------------------------------------------------------------------ item 2: Table II starting points
SEG_SETTINGS = {  # dataset -> (splits, crop, semi batch, sup batch)
    'voc12aug': (['1pct', '2pct', '5pct'], '321x321', 20, 10),
    'cityscapes': (['100', '372'], '256x512', 8, 4),
    'isic2017': (['10', '20', '50'], '224x224', 20, 10),
}
ROWS = [(ds, sp) for ds, v in SEG_SETTINGS.items() for sp in v[0]]


def _seg(method, start, ds, split):
    _, crop, semi_b, sup_b = SEG_SETTINGS[ds]
    if method == 'deeplabv3plus':
        return C(method, f'{method}_r50-d16-{start}_1xb{sup_b}-40k_{ds}-{split}-{crop}.py')
    return C(method, f'{method}_r50-d16-{start}_1xb{semi_b}-40k_{ds}-{split}-{crop}.py')


def _backbone(cfg):
    return cfg.model.segmentor.backbone if 'segmentor' in cfg.model else cfg.model.backbone


@pytest.mark.parametrize('ds,split', ROWS)
def test_table2_rows_start_from_the_same_plain_stem_network(ds, split):
    """Seed 003, Table II: the PixPro rows start from "IN PixPro"; every row of a table from the same network
    (plain-stem ResNet-50: official PixPro releases are torchvision-layout checkpoints)."""
    for method in ('cutmix', 'classmix', 'deeplabv3plus'):
        starts = {}
        for start in ('inpixpro', 'insup', 'pixpro'):
            cfg = Config.fromfile(_seg(method, start, ds, split))
            bb = _backbone(cfg)
            assert bb.type == 'ResNet' and bb.depth == 50 and not bb.get('contract_dilation', True)
            starts[start] = bb.init_cfg.checkpoint
        assert starts['inpixpro'] == IN_PIXPRO and starts['insup'] == IN_SUP
        assert starts['pixpro'].startswith('work_dirs/pixpro_r50_1xb8-lars-') and starts['pixpro'].endswith(
            f'_{ds}-224x224/backbone.pth')
    for method, stage_type in (('cutmix', 'CutMixSegmentor'), ('classmix', 'ClassMixSegmentor'),
                               ('sup', 'EncoderDecoder')):
        from densessl.engine.recipe import load_stage_configs
        stages = load_stage_configs(Config.fromfile(C('table2', f'pixpro-{method}_{ds}-{split}.py')))
        pre, fin = stages[0]['cfg'], stages[1]['cfg']
        assert pre.model.type == 'PixPro' and pre.model.backbone.init_cfg.checkpoint == IN_PIXPRO
        assert fin.model.type == stage_type and stages[1]['spec']['init_backbone_from'] == 'pixpro'
        assert _backbone(fin).type == pre.model.backbone.type == 'ResNet'


def test_headline_recipe_is_the_table2_row():
    from densessl.engine.recipe import load_stage_configs
    stages = load_stage_configs(Config.fromfile(C('pixpro_voc_1pct.py')))
    assert stages[0]['cfg'].model.backbone.init_cfg.checkpoint == IN_PIXPRO
    assert stages[0]['cfg'].train_dataloader.batch_size == 8
    assert osp.basename(stages[1]['cfg'].filename) == 'cutmix_r50-d16-pixpro_1xb20-40k_voc12aug-1pct-321x321.py'


# ------------------------------------------------------------------ item 3: French et al.'s CutMix recipe
@pytest.mark.parametrize('ds,split', ROWS)
@pytest.mark.parametrize('method', ['cutmix', 'classmix', 'deeplabv3plus'])
def test_french_recipe(method, ds, split):
    """French et al.'s run scripts (Britefury/cutmix-semisup-seg): VOC "--freeze_bn --batch_size=10
    --learning_rate=1e-5 --iters_per_epoch=1000 --num_epochs=40", Cityscapes "--freeze_bn --batch_size=4
    --learning_rate=3e-5", ISIC "--batch_size=10 --iters_per_epoch=400 --num_epochs=100 --opt_type=sgd
    --learning_rate=0.1 --sgd_weight_decay=5e-4 --lr_sched=poly ... --aug_strong_colour"; the pretrained
    parameters at "lr=learning_rate * 0.1"; --lr_sched defaults to 'none'."""
    cfg = Config.fromfile(_seg(method, 'inpixpro', ds, split))
    opt = cfg.optim_wrapper
    assert opt.paramwise_cfg.custom_keys == {'backbone': dict(lr_mult=0.1)}
    assert cfg.train_cfg.max_iters == 40000
    bb = _backbone(cfg)
    loader = cfg.train_dataloader
    if ds == 'isic2017':
        assert opt.optimizer.type == 'SGD' and opt.optimizer.lr == 0.1 and opt.optimizer.weight_decay == 5e-4
        assert [s.type for s in cfg.param_scheduler] == ['PolyLR'] and cfg.param_scheduler[0].power == 0.9
        assert bb.norm_eval is False  # no --freeze_bn for ISIC
    else:
        assert opt.optimizer.type == 'Adam' and opt.optimizer.lr == {'voc12aug': 1e-5, 'cityscapes': 3e-5}[ds]
        assert cfg.param_scheduler == []  # constant
        assert bb.norm_eval is True  # --freeze_bn: the backbone's BN layers in eval mode
    if method == 'deeplabv3plus':
        assert loader.batch_size == SEG_SETTINGS[ds][3]
        return
    assert loader.batch_size == SEG_SETTINGS[ds][2] and list(loader.sampler.source_ratio) == [1, 1]
    semi = merged_semi_cfgs(cfg.model)[0]  # the class's defaults + the config's deviations
    assert semi.unsup_bn_stats == 'update'
    student = [t.type for t in loader.dataset.datasets[1].pipeline[-1].unsup_student]
    if ds == 'isic2017':  # colour jitter (0.4, 0.4, 0.4, 0.1) p 0.8 + grey p 0.2 on the student's view only
        aug = loader.dataset.datasets[1].pipeline[-1].unsup_student[0]
        assert student == ['StrongPhotometricAug', 'PackSegInputs']
        assert [t['type'] for t in aug.transforms] == ['ColorJitter', 'ToGray']
        assert aug.transforms[0]['p'] == 0.8 and aug.transforms[1]['p'] == 0.2
    else:  # no colour augmentation: the student's view is the teacher's
        assert student == ['PackSegInputs']
    if method == 'cutmix':
        assert semi.mix.area == 0.5 and semi.confidence.threshold == 0.97 and semi.unsup_loss.loss_type == 'mse'


def test_french_optimiser_multiplies_the_backbone_rate_by_a_tenth():
    """ "dict(params=student_net.pretrained_parameters(), lr=learning_rate * 0.1), dict(params=student_net
    .new_parameters(), lr=learning_rate)" """
    cfg = Config.fromfile(_seg('cutmix', 'inpixpro', 'voc12aug', '1pct'))
    net = nn.Module()
    net.student = nn.Module()
    net.student.backbone, net.student.decode_head = nn.Conv2d(3, 3, 1), nn.Conv2d(3, 2, 1)
    wrapper = build_optim_wrapper(net, cfg.optim_wrapper)
    lrs = {id(p): g['lr'] for g in wrapper.optimizer.param_groups for p in g['params']}
    assert lrs[id(net.student.backbone.weight)] == pytest.approx(1e-6)
    assert lrs[id(net.student.decode_head.weight)] == pytest.approx(1e-5)


def test_hung_scale_is_frenchs_0_5_to_1_5_grid():
    """ "f_scale = 0.5 + self.rng.randint(0, 11, size=(scale_dim,)) / 10.0" (SegCVTransformRandomCropScaleHung)."""
    cfg = Config.fromfile(C('_base_', 'datasets', 'semi_voc12aug_french.py'))
    factors = [t[0]['scale_factor'] for t in cfg.hung_scale.transforms]
    assert factors == [0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5]


def test_the_earlier_variant_is_kept_by_name():
    variants = sorted(glob.glob(C('cutmix', 'cutmix-trainbn-strongaug-poly_*.py')) +
                      glob.glob(C('classmix', 'classmix-trainbn-strongaug-poly_*.py')))
    assert len(variants) == 16
    cfg = Config.fromfile(variants[0])
    assert cfg.param_scheduler[0].type == 'PolyLR' and not cfg.model.segmentor.backbone.get('norm_eval', False)


# ------------------------------------------------------------------ items 4-7: classification configs
def _cls(*parts):
    return Config.fromfile(C(*parts))


def test_classification_method_configs_carry_the_seed_values():
    """Seed 001 (MOAM): "w_sup 0.3, w_rot 0.7, w_vat 0.3, w_entmin 0.3"; USB's VAT: entropy weight 0.06 (not
    ramped); seed 000: 0.5 L_temp + 0.5 L_pseudo, 2/3 subset per cycle, last cycle on all data, first blocks frozen;
    seed 004: the attention neck."""
    moam = _cls('moam', 'moam-step1_s4l-rotation-vat-entmin_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py')
    semi = merged_semi_cfgs(moam.model)[0]
    assert (semi.sup_weight, semi.rotation_weight, semi.unsup_weight, semi.entmin_weight) == (0.3, 0.7, 0.3, 0.3)
    vat = merged_semi_cfgs(_cls('vat', 'vat-entmin_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py').model)[0]
    assert vat.entmin_weight == 0.06 and vat.unsup_weight == 0.3
    alt = _cls('alternating', 'alternating_resnet18-cifar_1xb64-mu7-sgd-cosrestart-58k_fmnist-40labels.py')
    semi = merged_semi_cfgs(alt.model)[0]
    assert (semi.te_weight, semi.pl_weight, semi.full_data_rounds, semi.frozen_stages) == (0.5, 0.5, 1, 1)
    assert semi.subset_ratio == pytest.approx(2 / 3)
    assert alt.train_cfg.max_iters == semi.num_rounds * (semi.phase1_iters + semi.phase2_iters)
    att = _cls('attention_fixmatch', 'attention-fixmatch_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py')
    assert att.model.classifier.neck == dict(type='AttentionBiPooling', in_channels=512, num_branches=2)


# ------------------------------------------------------------------ item 8: Table I
TABLE1 = {  # row -> (FixMatch config, BYOL config, dataset type, classes, labels)
    'cifar10-250labels': ('cifar10-250labels', 'cifar10', 'SemiCIFAR10', 10, 250),
    'cifar10-4000labels': ('cifar10-4000labels', 'cifar10', 'SemiCIFAR10', 10, 4000),
    'cifar100-2500labels': ('cifar100-2500labels', 'cifar100', 'SemiCIFAR100', 100, 2500),
    'svhn-250labels': ('svhn-250labels', 'svhn', 'SemiSVHN', 10, 250),
}


@pytest.mark.parametrize('row', sorted(TABLE1))
def test_table1_fixmatch_and_byol_fixmatch_rows(row):
    """FixMatch (Sohn et al.): tau 0.95, lambda_u 1, mu 7, B 64, SGD 0.03 (wd 5e-4; 1e-3 on CIFAR-100), 2^20
    iterations, EMA 0.999; "BYOL -> FixMatch" starts FixMatch from the BYOL target-pretrained backbone."""
    from densessl.engine.recipe import load_stage_configs
    fm_name, byol_ds, ds_type, classes, n_labels = TABLE1[row]
    cfg = _cls('fixmatch', f'fixmatch_resnet18-cifar_1xb64-mu7-sgd-cos-1m_{fm_name}.py')
    semi = merged_semi_cfgs(cfg.model)[0]
    assert cfg.model.type == 'FixMatch' and semi.confidence.threshold == 0.95 and semi.unsup_weight == 1.0
    assert cfg.model.classifier.head.num_classes == classes
    loader = cfg.train_dataloader
    assert loader.batch_size == 64 * 8 and list(loader.sampler.source_ratio) == [1, 7]
    opt = cfg.optim_wrapper.optimizer
    assert opt.lr == 0.03 and opt.nesterov and opt.weight_decay == (1e-3 if classes == 100 else 5e-4)
    assert cfg.train_cfg.max_iters == 2**20 and cfg.custom_hooks[0].teacher_momentum == 0.999
    labeled, unlabeled = loader.dataset.datasets
    assert labeled.type == unlabeled.type == cfg.val_dataloader.dataset.type == ds_type
    assert osp.normpath(labeled.split_file).endswith(f'{byol_ds}/{n_labels}labels/labeled.txt')
    weak = [t['type'] for t in unlabeled.pipeline[0].unsup_teacher]
    assert ('RandomFlip' in weak) == (byol_ds != 'svhn')  # FixMatch does not flip digits
    stages = load_stage_configs(Config.fromfile(C('table1', f'byol-fixmatch_{row}.py')))
    byol, fix = stages[0]['cfg'], stages[1]['cfg']
    assert byol.model.type == 'BYOL' and byol.train_cfg.max_epochs == 300 and byol.auto_scale_lr.enable
    assert byol.train_dataloader.dataset.type == ds_type
    assert stages[1]['spec']['backbone_key'] == 'model.classifier.backbone'
    assert byol.model.backbone.type == fix.model.classifier.backbone.type == 'mmpretrain.ResNet_CIFAR'
    assert byol.model.backbone.depth == fix.model.classifier.backbone.depth
    assert byol.model.data_preprocessor.mean == fix.model.classifier.data_preprocessor.mean


def test_table1_pipelines_run_on_the_official_file_layouts(tmp_path):
    """The CIFAR-10 and SVHN configs read the official layouts (fake contents) and give the three views."""
    import copy

    import numpy as np
    from scipy.io import savemat

    from densessl.utils import register_all_modules
    from tests.test_datasets.test_cls_datasets import _write_cifar
    register_all_modules()
    _write_cifar(str(tmp_path / 'cifar'), 'cifar-10-batches-py', [f'data_batch_{i}' for i in range(1, 6)],
                 ['test_batch'], 'labels')
    rng = np.random.default_rng(0)
    savemat(str(tmp_path / 'train_32x32.mat'), {'X': rng.integers(0, 256, (32, 32, 3, 6), dtype=np.uint8),
                                                'y': np.arange(1, 7).reshape(6, 1)})
    (tmp_path / 'lab.txt').write_text('0\n1\n')
    (tmp_path / 'unl.txt').write_text('2\n3\n4\n5\n')
    for fm_name, root, extra in (('cifar10-250labels', tmp_path / 'cifar', dict(check_md5=False)),
                                 ('svhn-250labels', tmp_path, {})):
        cfg = _cls('fixmatch', f'fixmatch_resnet18-cifar_1xb64-mu7-sgd-cos-1m_{fm_name}.py')
        for ds, split in zip(cfg.train_dataloader.dataset.datasets, ('lab.txt', 'unl.txt')):
            ds.update(data_root=str(root), split_file=str(tmp_path / split), **extra)
        loader_cfg = copy.deepcopy(cfg.train_dataloader)
        loader_cfg.update(batch_size=4, num_workers=0, persistent_workers=False)
        loader_cfg.sampler.update(batch_size=4, source_ratio=[1, 1])
        batch = next(iter(Runner.build_dataloader(loader_cfg, seed=0)))
        from densessl.registry import MODELS
        out = MODELS.build(cfg.model.data_preprocessor)(batch, training=True)
        for branch in ('sup', 'unsup_teacher', 'unsup_student'):
            assert tuple(out['inputs'][branch].shape) == (2, 3, 32, 32), (fm_name, branch)
