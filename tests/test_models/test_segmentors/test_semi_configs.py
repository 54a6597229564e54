"""Every CutMix / ClassMix config of Table II/III: loads, carries the paper's settings, and its data pipelines run
on copies of the real folder layouts (unlabeled images without masks)."""
import copy
import os
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from densessl.registry import MODELS
from densessl.utils import register_all_modules
from tests.helpers.fixtures import write_cityscapes, write_isic2017, write_voc_converted
from tests.helpers.semi_cfg import merged_semi_cfgs
from tests.test_models.test_segmentors import semi_fixtures  # noqa: F401  (registers the semi pieces)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

# dataset -> (settings, batch, crop, classes, optimizer, lr, iterations, student view transforms); the paper-scale
# ones follow French et al.'s run scripts (values pinned with their sources in tests/test_configs/)
SETTINGS = {
    'voc12aug': (['1pct', '2pct', '5pct'], 20, (321, 321), 21, 'Adam', 1e-5, 40000, ['PackSegInputs']),
    'cityscapes': (['100', '372'], 8, (256, 512), 19, 'Adam', 3e-5, 40000, ['PackSegInputs']),
    'isic2017': (['10', '20', '50'], 20, (224, 224), 2, 'SGD', 0.1, 40000, ['StrongPhotometricAug', 'PackSegInputs']),
    'demo': (['1pct', '2pct', '5pct'], 16, (96, 96), 5, 'Adam', 1e-3, 1000, ['StrongPhotometricAug', 'PackSegInputs']),
}
SPLIT_DIR = {'voc12aug': 'voc', 'cityscapes': 'cityscapes', 'isic2017': 'isic2017', 'demo': 'demo'}


def _path(method, dataset, setting, pixpro=False):
    """The demo config, or the Table II config starting from IN PixPro (``pixpro``: from target pretraining)."""
    batch, crop = SETTINGS[dataset][1:3]
    if dataset == 'demo':
        bb = 'r18-d16' + ('-pixpro' if pixpro else '')
    else:
        bb = 'r50-d16-' + ('pixpro' if pixpro else 'inpixpro')
    sched = '1k' if dataset == 'demo' else '40k'
    return osp.join(REPO, 'configs', method,
                    f'{method}_{bb}_1xb{batch}-{sched}_{dataset}-{setting}-{crop[0]}x{crop[1]}.py')


ALL = [(m, d, s, p) for m in ('cutmix', 'classmix') for d, v in SETTINGS.items() for s in v[0] for p in (False, True)]


@pytest.mark.parametrize('method,dataset,setting,pixpro', ALL)
def test_config_has_the_paper_settings(method, dataset, setting, pixpro):
    cfg = Config.fromfile(_path(method, dataset, setting, pixpro))
    _, batch, crop, classes, optim, lr, iters, student_view = SETTINGS[dataset]
    model = cfg.model
    assert model.type == {'cutmix': 'CutMixSegmentor', 'classmix': 'ClassMixSegmentor'}[method]
    assert model.segmentor.decode_head.num_classes == classes
    assert tuple(model.segmentor.data_preprocessor.size) == crop
    assert model.data_preprocessor.type == 'MultiBranchDataPreprocessor'
    semi, semi_test = merged_semi_cfgs(model)  # the class's defaults + the config's deviations
    assert semi_test.predict_on == 'teacher'
    if method == 'cutmix':
        assert semi.mix.type == 'CutMixMask' and semi.mix.area == 0.5 and semi.unsup_loss.loss_type == 'mse'
        assert semi.confidence.threshold == 0.97 and semi.pseudo_label.mode == 'soft'
    else:
        assert semi.mix.type == 'ClassMixMask' and semi.unsup_loss.loss_type == 'ce'
        assert semi.confidence.threshold == 0.968 and semi.pseudo_label.mode == 'hard'
    assert semi.confidence.mode == 'proportion'
    assert cfg.optim_wrapper.optimizer.type == optim and cfg.optim_wrapper.optimizer.lr == lr
    assert cfg.train_cfg.type == 'IterBasedTrainLoop' and cfg.train_cfg.max_iters == iters
    assert cfg.val_cfg.type == 'TeacherStudentValLoop'
    (hook, ) = [h for h in cfg.custom_hooks if h.type == 'MeanTeacherHook']
    assert hook.teacher_momentum == 0.99
    loader = cfg.train_dataloader
    assert loader.batch_size == loader.sampler.batch_size == batch
    assert loader.sampler.type == 'MultiSourceSampler' and list(loader.sampler.source_ratio) == [1, 1]
    labeled, unlabeled = loader.dataset.datasets
    split = osp.join(REPO, 'data', 'splits', SPLIT_DIR[dataset], setting)
    assert osp.normpath(labeled.ann_file) == osp.join(split, 'labeled.txt')
    assert osp.normpath(unlabeled.ann_file) == osp.join(split, 'unlabeled.txt')
    assert unlabeled.with_label is False and 'seg_map_path' not in unlabeled.data_prefix
    steps = [t['type'] for t in unlabeled.pipeline]
    assert 'LoadCheckedAnnotations' not in steps and 'LoadAnnotations' not in steps
    assert all(t.get('cat_max_ratio', 1.0) == 1.0 for t in unlabeled.pipeline)
    # the geometric transforms come before MultiBranch; the student branch adds photometric changes only
    branch = unlabeled.pipeline[-1]
    assert branch.type == 'MultiBranch' and steps.index('RandomFlip') < steps.index('MultiBranch')
    assert [t['type'] for t in branch.unsup_student] == student_view
    if pixpro:  # the target-pretrained row differs from its ImageNet row by the backbone's starting weights only
        plain = Config.fromfile(_path(method, dataset, setting)).to_dict()
        tp = cfg.to_dict()
        ckpt = tp['model']['segmentor']['backbone'].pop('init_cfg')
        plain['model']['segmentor']['backbone'].pop('init_cfg', None)
        plain.pop('in_pixpro', None)
        tp.pop('in_pixpro', None)
        assert 'pixpro' in ckpt['checkpoint'] and ckpt['checkpoint'].endswith('backbone.pth')
        tp.pop('pixpro_backbone')
        tp.pop('filename', None)
        plain.pop('filename', None)
        assert tp == plain


def _write_split(root, labeled, unlabeled):
    with open(osp.join(root, 'labeled.txt'), 'w') as f:
        f.write('\n'.join(labeled) + '\n')
    with open(osp.join(root, 'unlabeled.txt'), 'w') as f:
        f.write('\n'.join(unlabeled) + '\n')


def _layout(dataset, root):
    if dataset == 'voc12aug':
        info = write_voc_converted(root, n_train=6)
        return info['data_root'], info['train_aug'][:2], info['train_aug'][2:]
    if dataset == 'cityscapes':
        info = write_cityscapes(root, size=(64, 128))
        names = info['names']['train']
        return info['data_root'], names[:2], names[2:]
    info = write_isic2017(root, size=(48, 64))
    names = info['names']['Training']
    return info['data_root'], names[:2], names[2:]


@pytest.mark.parametrize('dataset', ['voc12aug', 'cityscapes', 'isic2017'])
def test_semi_data_pipelines_run_on_the_real_layouts(dataset, tmp_path):
    register_all_modules()
    cfg = Config.fromfile(_path('cutmix', dataset, SETTINGS[dataset][0][0]))
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
    crop = SETTINGS[dataset][2]
    for branch in ('sup', 'unsup_teacher', 'unsup_student'):
        assert tuple(out['inputs'][branch].shape) == (2, 3) + crop, branch
    assert all('gt_sem_seg' in s for s in out['data_samples']['sup'])
    assert not any('gt_sem_seg' in s for s in out['data_samples']['unsup_teacher'])


def test_demo_model_takes_a_training_step():
    register_all_modules()
    cfg = Config.fromfile(_path('cutmix', 'demo', '5pct'))
    model = MODELS.build(cfg.model)
    img = lambda: torch.randint(0, 256, (3, 96, 96), dtype=torch.uint8)  # noqa: E731
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample

    def sample(labeled):
        s = SegDataSample(metainfo=dict(img_shape=(96, 96), ori_shape=(96, 96)))
        if labeled:
            s.gt_sem_seg = PixelData(data=torch.randint(0, 5, (1, 96, 96)))
        return s

    weak = [img(), img()]
    batch = {'inputs': {'sup': [img(), img(), None, None], 'unsup_teacher': [None, None] + weak,
                        'unsup_student': [None, None] + weak},
             'data_samples': {'sup': [sample(True), sample(True), None, None],
                              'unsup_teacher': [None, None, sample(False), sample(False)],
                              'unsup_student': [None, None, sample(False), sample(False)]}}
    from mmengine.optim import OptimWrapper
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-3))
    log_vars = model.train_step(batch, optim)
    assert {'sup_decode.loss_ce', 'unsup_loss_cons', 'unsup_pixel_ratio'} <= set(log_vars)
