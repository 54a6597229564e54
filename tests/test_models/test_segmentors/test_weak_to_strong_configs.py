"""Every paper-scale UniMatch / FixMatch-seg config: loads, carries UniMatch's official settings (configs/pascal.yaml,
configs/cityscapes.yaml, unimatch.py, fixmatch.py, dataset/semi.py of LiheYoung/UniMatch), builds the model and
optimiser it describes, and its two-strong-view data pipelines run on copies of the real folder layouts (unlabeled
images without masks)."""
import copy
import math
import os
import os.path as osp
import random

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.runner import Runner

from densessl.registry import MODELS
from densessl.utils import register_all_modules
from tests.helpers.fixtures import write_cityscapes, write_isic2017, write_voc_converted
from tests.helpers.semi_cfg import merged_semi_cfgs
from tests.test_models.test_segmentors import semi_fixtures  # noqa: F401  (registers the semi pieces)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

# dataset -> the official values (lr, lr_multi, epochs, crop, conf_thresh) and, per setting, the labeled count and
# UniMatch's iterations per epoch (len(trainloader_u) on 4 GPUs x 2 unlabeled images: ceil(U / 4) // 2; the VOC
# ResNet-50 logs print every len // 8 iterations: 163 at 92 labels -> 1311, 142 at 1464 -> 1140 or 1139)
PAPER = {
    'voc12aug':
    dict(full=10582, classes=21, crop=(321, 321), lr=1e-3, lr_mult=10.0, epochs=80, threshold=0.95, split='voc',
         pixpro='pixpro_r50_1xb8-lars-200e_voc12aug-224x224',
         settings={'92': (92, 1311), '183': (183, 1300), '366': (366, 1277), '732': (732, 1231),
                   '1464': (1464, 1140), '1pct': (106, 1309), '2pct': (212, 1296), '5pct': (529, 1257)}),
    'cityscapes':
    dict(full=2975, classes=19, crop=(801, 801), lr=5e-3, lr_mult=1.0, epochs=240, threshold=0.0, split='cityscapes',
         pixpro='pixpro_r50_1xb8-lars-200e_cityscapes-224x224', settings={'186': (186, 349), '372': (372, 325)}),
    'isic2017':
    dict(full=2000, classes=2, crop=(256, 256), lr=1e-3, lr_mult=10.0, epochs=80, threshold=0.95, split='isic2017',
         pixpro='pixpro_r50_1xb8-lars-1000e_isic2017-224x224',
         settings={'10': (10, 249), '20': (20, 247), '50': (50, 244)}),
}
BASE_SETTING = {'voc12aug': '92', 'cityscapes': '186', 'isic2017': '10'}
PREFIX = {'unimatch': 'unimatch', 'fixmatch_seg': 'fixmatch-seg'}
MODEL_TYPE = {'unimatch': 'UniMatchSegmentor', 'fixmatch_seg': 'FixMatchSegmentor'}
STRONG = ('unsup_student', 'unsup_student2')


def _path(method, dataset, setting, pixpro=False):
    p = PAPER[dataset]
    bb = 'r50-d16' + ('-pixpro' if pixpro else '')
    crop = f'{p["crop"][0]}x{p["crop"][1]}'
    return osp.join(REPO, 'configs', method,
                    f'{PREFIX[method]}_{bb}_1xb16-{p["epochs"]}e_{dataset}-{setting}-{crop}.py')


ALL = [(m, d, s, px) for m in PREFIX for d, v in PAPER.items() for s in v['settings'] for px in (False, True)]


def test_iterations_per_epoch_follow_unimatch_s_loader():
    for p in PAPER.values():
        for n_labeled, it in p['settings'].values():
            assert it == math.ceil((p['full'] - n_labeled) / 4) // 2


@pytest.mark.parametrize('method,dataset,setting,pixpro', ALL)
def test_config_has_the_official_settings(method, dataset, setting, pixpro):
    cfg = Config.fromfile(_path(method, dataset, setting, pixpro))
    p = PAPER[dataset]
    model = cfg.model
    assert model.type == MODEL_TYPE[method]
    seg = model.segmentor
    assert seg.decode_head.num_classes == p['classes'] and tuple(seg.data_preprocessor.size) == p['crop']
    assert seg.backbone.type == 'ResNet' and seg.backbone.depth == 50  # plain stem: the PixPro hand-off network
    assert seg.backbone.dilations == (1, 1, 1, 2) and seg.decode_head.dilations == (1, 6, 12, 18)  # OS16
    assert model.data_preprocessor.type == 'MultiBranchDataPreprocessor'
    semi, semi_test = merged_semi_cfgs(model)  # the class's defaults + the config's deviations
    assert semi_test.predict_on == 'student'  # no EMA teacher: the model itself is evaluated
    assert not any(h.type == 'MeanTeacherHook' for h in cfg.get('custom_hooks', []))
    assert cfg.val_cfg.type == 'ValLoop'
    assert semi.pseudo_label_from == 'student' and semi.pseudo_label.mode == 'hard'
    assert semi.confidence.type == 'ConfidenceMask' and semi.confidence.mode == 'pixel'
    assert semi.confidence.threshold == p['threshold']
    assert semi.unsup_loss.loss_type == 'ce'
    assert (semi.sup_weight, semi.unsup_weight) == (0.5, 0.5)  # (L_x + L_u) / 2
    mix = semi.mix  # obtain_cutmix_box(p=0.5, size_min=0.02, size_max=0.4, ratio_1=0.3, ratio_2=1/0.3)
    assert mix.type == 'CutMixMask' and mix.prob == 0.5 and tuple(mix.area) == (0.02, 0.4)
    assert tuple(mix.aspect_ratio) == (0.3, 1 / 0.3) and mix.box_from == 'partner'
    if method == 'unimatch':
        assert tuple(semi.strong_branches) == STRONG and tuple(semi.strong_weights) == (0.25, 0.25)
        assert semi.feature_perturbation == dict(type='FeatureDropout', p=0.5) and semi.fp_weight == 0.5
    else:
        assert tuple(semi.strong_branches) == ('unsup_student', ) and tuple(semi.strong_weights) == (1.0, )
        assert semi.feature_perturbation is None
    # optimiser: SGD 0.9 / 1e-4, the decode head at lr x lr_multi; poly 0.9 over the whole run
    optim = cfg.optim_wrapper
    assert optim.optimizer.type == 'SGD' and optim.optimizer.lr == p['lr']
    assert (optim.optimizer.momentum, optim.optimizer.weight_decay) == (0.9, 1e-4)
    assert optim.paramwise_cfg.custom_keys == {'decode_head': dict(lr_mult=p['lr_mult'])}
    n_labeled, epoch_iters = p['settings'][setting]
    iters = p['epochs'] * epoch_iters
    assert cfg.train_cfg.type == 'IterBasedTrainLoop'
    assert (cfg.train_cfg.max_iters, cfg.train_cfg.val_interval) == (iters, epoch_iters)
    (sched, ) = cfg.param_scheduler
    assert sched.type == 'PolyLR' and (sched.power, sched.eta_min, sched.begin, sched.end) == (0.9, 0.0, 0, iters)
    assert sched.by_epoch is False
    # data: 8 labeled + 8 unlabeled a step, the split files of the setting
    loader = cfg.train_dataloader
    assert loader.batch_size == loader.sampler.batch_size == 16
    assert loader.sampler.type == 'MultiSourceSampler' and list(loader.sampler.source_ratio) == [1, 1]
    labeled, unlabeled = loader.dataset.datasets
    split = osp.join(REPO, 'data', 'splits', p['split'], setting)
    assert osp.normpath(labeled.ann_file) == osp.join(split, 'labeled.txt')
    assert osp.normpath(unlabeled.ann_file) == osp.join(split, 'unlabeled.txt')
    assert unlabeled.with_label is False and 'seg_map_path' not in unlabeled.data_prefix
    for ds in (labeled, unlabeled):
        steps = [t['type'] for t in ds.pipeline]
        crop = [t for t in ds.pipeline if t['type'] == 'RandomCrop'][0]
        assert tuple(crop.crop_size) == p['crop'] and crop.get('cat_max_ratio', 1.0) == 1.0
        assert steps.index('RandomFlip') < steps.index('MultiBranch') == len(steps) - 1
        assert 'PhotoMetricDistortion' not in steps  # the labeled crops get no photometric change
        assert list(ds.pipeline[-1].branch_field) == ['sup', 'unsup_teacher', *STRONG]
    assert 'LoadCheckedAnnotations' not in [t['type'] for t in unlabeled.pipeline]
    resize = [t for t in unlabeled.pipeline if t['type'] == 'RandomResize'][0]
    if dataset != 'isic2017':  # UniMatch's resize: the long side x U(0.5, 2.0)
        assert tuple(resize.ratio_range) == (0.5, 2.0) and resize.keep_ratio
        assert tuple(resize.scale) == {'voc12aug': (500, 500), 'cityscapes': (2048, 1024)}[dataset]
    branches = unlabeled.pipeline[-1]
    assert [t['type'] for t in branches.unsup_teacher] == ['PackSegInputs']
    for name in STRONG:  # dataset/semi.py: ColorJitter(0.5, 0.5, 0.5, 0.25) p 0.8, grayscale p 0.2, blur p 0.5
        strong, pack = branches[name]
        assert strong.type == 'StrongPhotometricAug' and pack.type == 'PackSegInputs'
        jitter, gray, blur = strong.transforms
        assert (jitter.type, jitter.brightness, jitter.contrast, jitter.saturation, jitter.hue, jitter.p) == \
            ('ColorJitter', 0.5, 0.5, 0.5, 0.25, 0.8)
        assert (gray.type, gray.p) == ('ToGray', 0.2)
        assert (blur.type, tuple(blur.sigma_limit), blur.p, blur.blur_limit) == ('GaussianBlur', (0.1, 2.0), 0.5, 0)
    test_steps = [t['type'] for t in cfg.val_dataloader.dataset.pipeline]
    if dataset == 'cityscapes':  # OHEM on the labeled loss; full-resolution sliding-window evaluation
        head = seg.decode_head
        assert head.sampler == dict(type='OHEMPixelSampler', thresh=0.7, min_kept=100000)  # x 2 images = 200000
        assert head.loss_decode.avg_non_ignore is True
        assert seg.test_cfg == dict(mode='slide', crop_size=(801, 801), stride=(534, 534))  # int(801 * 2 / 3)
        assert 'Resize' not in test_steps
    else:
        assert 'sampler' not in seg.decode_head and seg.test_cfg.mode == 'whole'
    if dataset == 'voc12aug':
        assert 'Resize' not in test_steps  # UniMatch's 'original' evaluation
    if pixpro:  # the target-pretrained row differs from its ImageNet row by the backbone's starting weights only
        plain = Config.fromfile(_path(method, dataset, setting)).to_dict()
        tp = cfg.to_dict()
        ckpt = tp['model']['segmentor']['backbone'].pop('init_cfg')
        plain['model']['segmentor']['backbone'].pop('init_cfg')
        assert ckpt == dict(type='Pretrained', checkpoint=f'work_dirs/{p["pixpro"]}/backbone.pth')
        assert osp.isfile(osp.join(REPO, 'configs', 'pixpro', p['pixpro'] + '.py'))
        tp.pop('pixpro_backbone')
        for d in (tp, plain):
            d.pop('filename', None)
        assert tp == plain
    else:
        assert seg.backbone.init_cfg.checkpoint == 'checkpoints/resnet50-0676ba61.pth'  # torchvision IN-Sup
    if method == 'fixmatch_seg':  # FixMatch = the UniMatch config of the setting with FixMatch's class defaults
        uni = Config.fromfile(_path('unimatch', dataset, setting, pixpro)).to_dict()
        fix = cfg.to_dict()
        for d in (uni, fix):
            d.pop('filename', None)
            d['model'].pop('type')
        assert fix == uni


@pytest.mark.parametrize('method,dataset', [('unimatch', d) for d in PAPER] + [('fixmatch_seg', 'cityscapes')])
def test_built_model_weights_and_optimiser(method, dataset):
    register_all_modules()
    cfg = Config.fromfile(_path(method, dataset, BASE_SETTING[dataset]))
    model = MODELS.build(cfg.model)
    assert type(model).__name__ == MODEL_TYPE[method]
    semi = model.semi_train_cfg
    # the factor each loss term gets in the total: UniMatch (L_x + 0.5 L_fp + 0.25 L_s1 + 0.25 L_s2) / 2,
    # FixMatch (L_x + L_s) / 2
    factors = {'sup': semi['sup_weight']}
    factors.update({b: semi['unsup_weight'] * w for b, w in zip(semi['strong_branches'], semi['strong_weights'])})
    if model.feature_perturbation is not None:
        factors['fp'] = semi['unsup_weight'] * semi['fp_weight']
        assert model.feature_perturbation.p == 0.5
    expected = {'sup': 0.5, 'unsup_student': 0.125, 'unsup_student2': 0.125, 'fp': 0.25} if method == 'unimatch' \
        else {'sup': 0.5, 'unsup_student': 0.5}
    assert factors == expected
    assert model.required_branches == ('sup', 'unsup_teacher') + (STRONG if method == 'unimatch' else STRONG[:1])
    assert model.confidence_mask.threshold == PAPER[dataset]['threshold']
    assert model.semi_test_cfg['predict_on'] == 'student'
    head = model.student.decode_head
    if dataset == 'cityscapes':
        assert type(head.sampler).__name__ == 'OHEMPixelSampler'
        assert (head.sampler.thresh, head.sampler.min_kept) == (0.7, 100000)
    else:
        assert head.sampler is None
    # parameter groups: backbone at lr, decode head at lr x lr_multi, all SGD 0.9 / 1e-4; the frozen teacher not
    # optimised
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    names = {id(q): n for n, q in model.named_parameters()}
    lrs = {}
    for group in wrapper.optimizer.param_groups:
        assert (group['momentum'], group['weight_decay']) == (0.9, 1e-4)
        for q in group['params']:
            lrs.setdefault('.'.join(names[id(q)].split('.')[:2]), set()).add(group['lr'])
    p = PAPER[dataset]
    assert set(lrs) == {'student.backbone', 'student.decode_head'}
    assert lrs['student.backbone'] == {p['lr']}
    (head_lr, ) = lrs['student.decode_head']
    assert head_lr == pytest.approx(p['lr'] * p['lr_mult'])


def _write_split(root, labeled, unlabeled):
    with open(osp.join(root, 'labeled.txt'), 'w') as f:
        f.write('\n'.join(labeled) + '\n')
    with open(osp.join(root, 'unlabeled.txt'), 'w') as f:
        f.write('\n'.join(unlabeled) + '\n')


def _layout(dataset, root):
    if dataset == 'voc12aug':
        info = write_voc_converted(root, n_train=6, size=(60, 80))
        return info['data_root'], info['train_aug'][:2], info['train_aug'][2:]
    if dataset == 'cityscapes':
        info = write_cityscapes(root, size=(64, 128))
        names = info['names']['train']
        return info['data_root'], names[:2], names[2:]
    info = write_isic2017(root, size=(48, 64))
    names = info['names']['Training']
    return info['data_root'], names[:2], names[2:]


@pytest.mark.parametrize('dataset', list(PAPER))
def test_two_strong_pipelines_run_on_the_real_layouts(dataset, tmp_path):
    register_all_modules()
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    cfg = Config.fromfile(_path('unimatch', dataset, BASE_SETTING[dataset]))
    data_root, labeled, unlabeled = _layout(dataset, str(tmp_path))
    _write_split(str(tmp_path), labeled, unlabeled)
    # the unlabeled images must not need masks: delete every mask of the unlabeled split
    removed = 0
    for folder, _, files in os.walk(data_root):
        if any(k in folder for k in ('Segmentation', 'gtFine', 'GroundTruth')):
            for fname in files:
                if any(osp.basename(n) in fname for n in unlabeled):
                    os.remove(osp.join(folder, fname))
                    removed += 1
    assert removed >= len(unlabeled)
    for ds, names in zip(cfg.train_dataloader.dataset.datasets, (labeled, unlabeled)):
        ds.data_root = data_root
        ds.ann_file = str(tmp_path / ('labeled.txt' if names is labeled else 'unlabeled.txt'))
    loader_cfg = copy.deepcopy(cfg.train_dataloader)
    loader_cfg.update(batch_size=4, num_workers=0, persistent_workers=False)
    loader_cfg.sampler.batch_size = 4
    loader = Runner.build_dataloader(loader_cfg, seed=0)
    batch = next(iter(loader))
    pre = MODELS.build(cfg.model.data_preprocessor)
    out = pre(batch, training=True)
    crop = PAPER[dataset]['crop']
    for branch in ('sup', 'unsup_teacher', *STRONG):
        assert tuple(out['inputs'][branch].shape) == (2, 3) + crop, branch
    assert all('gt_sem_seg' in s for s in out['data_samples']['sup'])
    samples = out['data_samples']
    for branch in ('unsup_teacher', *STRONG):
        assert not any('gt_sem_seg' in s for s in samples[branch])
    for i in range(2):  # the views of an unlabeled image share their geometry (one crop, one flip) ...
        metas = [samples[b][i].metainfo for b in ('unsup_teacher', *STRONG)]
        assert len({(m['img_path'], tuple(m['img_shape']), m['flip']) for m in metas}) == 1
    weak, s1, s2 = (out['inputs'][b] for b in ('unsup_teacher', *STRONG))
    # ... and differ in colour only where the strong augmentation fired; the two strong views draw independently
    assert not torch.equal(weak, s1) and not torch.equal(s1, s2)
    if dataset == 'cityscapes':  # UniMatch evaluates on the full-resolution image
        val = copy.deepcopy(cfg.val_dataloader)
        val.dataset.update(data_root=data_root)
        val.update(num_workers=0, persistent_workers=False)
        sample = next(iter(Runner.build_dataloader(val, seed=0)))['data_samples'][0]
        assert tuple(sample.metainfo['img_shape']) == (64, 128) == tuple(sample.gt_sem_seg.data.shape[1:])


def test_recipe_pixpro_then_unimatch_on_voc_1pct():
    register_all_modules()
    from densessl.engine.recipe import load_stage_configs
    recipe = Config.fromfile(osp.join(REPO, 'configs', 'pixpro_unimatch_voc_1pct.py'))
    assert recipe.evaluate is True
    stages = load_stage_configs(recipe)
    assert [s['name'] for s in stages] == ['pixpro', 'unimatch']
    pixpro, unimatch = stages
    assert pixpro['cfg'].model.type == 'PixPro'
    assert osp.basename(pixpro['spec']['config']) == PAPER['voc12aug']['pixpro'] + '.py'
    assert unimatch['spec']['init_backbone_from'] == 'pixpro'
    assert unimatch['spec']['backbone_key'] == 'model.segmentor.backbone'
    assert osp.normpath(unimatch['cfg'].filename) == osp.normpath(_path('unimatch', 'voc12aug', '1pct', pixpro=True))
    assert unimatch['cfg'].model.type == 'UniMatchSegmentor'
    # one backbone type through both stages: the PixPro ResNet-50 hands over to the segmentor's
    assert pixpro['cfg'].model.backbone.type == unimatch['cfg'].model.segmentor.backbone.type == 'ResNet'
    assert pixpro['cfg'].model.backbone.depth == unimatch['cfg'].model.segmentor.backbone.depth == 50
