"""Multi-stage recipes: target pretraining, then (semi-)supervised finetuning, then evaluation, from one config.

A *recipe config* is a config with a ``stages`` list; every stage names an ordinary densessl config::

    stages = [
        dict(name='pretrain', config='../pixpro/pixpro_r18_demo.py'),
        dict(name='finetune', config='../cutmix/cutmix_r18_demo-5pct.py',
             init_backbone_from='pretrain',            # hand stage 'pretrain's backbone to this stage
             backbone_key='model.segmentor.backbone',  # where the backbone sits in this stage's config
             cfg_options={'train_cfg.max_iters': 500}),
    ]
    evaluate = True   # run the test loop of the last stage when it has finished

``tools/train.py RECIPE`` runs the stages in order, each in ``<work_dir>/<name>/``. When a stage has finished its
training, ``<work_dir>/<name>/stage_done.json`` records its final checkpoint; a later stage with
``init_backbone_from`` gets that checkpoint's backbone (extracted by :func:`densessl.apis.extract_backbone`) as its
``init_cfg``. ``--resume`` skips finished stages and resumes the first unfinished one from its last checkpoint.
"""
import copy
import json
import os
import os.path as osp
from typing import Callable, Dict, List, Optional

from mmengine.config import Config


def is_recipe(cfg: Config) -> bool:
    return 'stages' in cfg


def _set_key(cfg: Config, key: str, value) -> None:
    cfg.merge_from_dict({key: value})


def _get_key(cfg: Config, key: str):
    node = cfg
    for part in key.split('.'):
        if part not in node:
            raise KeyError(f'{key!r} does not exist in the stage config {cfg.filename}')
        node = node[part]
    return node


def load_stage_configs(recipe: Config) -> List[Dict]:
    """Resolve the recipe's stages into (name, Config, spec) entries, validating names and references."""
    stages = recipe.stages
    if not stages:
        raise ValueError(f'{recipe.filename}: `stages` is empty')
    here = osp.dirname(osp.abspath(recipe.filename))
    seen, out = set(), []
    for i, spec in enumerate(stages):
        name = spec.get('name')
        if not name or name in seen or '/' in name:
            raise ValueError(f'{recipe.filename}: stage {i} needs a unique `name` without "/", got {name!r}')
        src = spec.get('init_backbone_from')
        if src is not None and src not in seen:
            raise ValueError(f'{recipe.filename}: stage {name!r} takes its backbone from {src!r}, '
                             'which is not an earlier stage')
        seen.add(name)
        path = spec['config'] if osp.isabs(spec['config']) else osp.join(here, spec['config'])
        if not osp.isfile(path):
            raise FileNotFoundError(f'{recipe.filename}: stage {name!r} config not found: {path}')
        cfg = Config.fromfile(path)
        if spec.get('cfg_options'):
            cfg.merge_from_dict(dict(spec['cfg_options']))
        out.append(dict(name=name, cfg=cfg, spec=spec))
    return out


def _done_file(work_dir: str, name: str) -> str:
    return osp.join(work_dir, name, 'stage_done.json')


def read_stage_done(work_dir: str, name: str) -> Optional[dict]:
    path = _done_file(work_dir, name)
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def write_stage_done(work_dir: str, name: str, info: dict) -> None:
    path = _done_file(work_dir, name)
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(info, f, indent=2)
    os.replace(tmp, path)


def last_checkpoint(stage_dir: str) -> str:
    """The checkpoint MMEngine's CheckpointHook recorded last in ``stage_dir``."""
    marker = osp.join(stage_dir, 'last_checkpoint')
    if not osp.isfile(marker):
        raise FileNotFoundError(f'stage finished but {marker} is missing: did its CheckpointHook save anything?')
    with open(marker) as f:
        ckpt = f.read().strip()
    if not osp.isfile(ckpt):
        ckpt = osp.join(stage_dir, osp.basename(ckpt))
    if not osp.isfile(ckpt):
        raise FileNotFoundError(f'{marker} points at {ckpt}, which does not exist')
    return ckpt


def run_recipe(recipe: Config, work_dir: str, resume: bool, run_stage: Callable[..., dict],
               logger=print) -> dict:
    """Run every stage of ``recipe``.

    Args:
        recipe: the recipe config.
        work_dir: the recipe's work dir; stage ``k`` runs in ``work_dir/<name_k>``.
        resume: skip finished stages, resume the first unfinished one.
        run_stage: ``run_stage(cfg, work_dir, resume, evaluate) -> metrics dict`` builds a Runner and trains
            (tools/train.py's function, which also handles the distributed setup).

    Returns:
        The metrics of the final evaluation (empty when ``evaluate`` is False).
    """
    from densessl.apis import extract_backbone
    from mmengine.dist import barrier, get_rank

    stages = load_stage_configs(recipe)
    evaluate = recipe.get('evaluate', True)
    metrics: dict = {}
    for k, stage in enumerate(stages):
        name, cfg, spec = stage['name'], stage['cfg'], stage['spec']
        stage_dir = osp.join(work_dir, name)
        is_last = k == len(stages) - 1
        done = read_stage_done(work_dir, name) if resume else None
        if done is not None and not (is_last and evaluate and not done.get('evaluated')):
            logger(f'[recipe] stage {k + 1}/{len(stages)} {name!r} already finished ({done["checkpoint"]}); '
                   'skipping')
            continue
        src = spec.get('init_backbone_from')
        if src is not None:
            src_done = read_stage_done(work_dir, src)
            if src_done is None:
                raise RuntimeError(f'stage {name!r} needs stage {src!r}, which has not finished')
            backbone = osp.join(stage_dir, f'backbone_from_{src}.pth')
            if get_rank() == 0 and not osp.isfile(backbone):
                os.makedirs(stage_dir, exist_ok=True)
                extract_backbone(src_done['checkpoint'], backbone)
            barrier()
            key = spec.get('backbone_key', 'model.backbone')
            _get_key(cfg, key)  # fail with a clear message when the key is wrong
            _set_key(cfg, f'{key}.init_cfg', dict(type='Pretrained', checkpoint=backbone))
            logger(f'[recipe] stage {name!r}: backbone initialised from stage {src!r} ({backbone})')
        logger(f'[recipe] stage {k + 1}/{len(stages)} {name!r}: {cfg.filename} -> {stage_dir}')
        resume_stage = resume and osp.isfile(osp.join(stage_dir, 'last_checkpoint'))
        stage_eval = evaluate and is_last
        metrics = run_stage(copy.deepcopy(cfg), stage_dir, resume_stage, stage_eval)
        if get_rank() == 0:
            write_stage_done(work_dir, name, dict(checkpoint=last_checkpoint(stage_dir), config=cfg.filename,
                                                  evaluated=stage_eval, metrics=metrics))
        barrier()
    return metrics
