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

``tools/train.py RECIPE`` runs the stages in order, each in ``<work_dir>/<name>/`` (or in the stage's ``work_dir``,
relative to the recipe's: ``'.'`` is the recipe's folder itself, ``'../pretrain'`` a folder that several recipes
share). When a stage has finished its training, ``stage_done.json`` in its folder records its final checkpoint; a
later stage with ``init_backbone_from`` gets that checkpoint's backbone as its ``init_cfg``: extracted once by
:func:`densessl.apis.extract_backbone` into the finished stage's folder as ``backbone.pth``, which its
``stage_done.json`` then names (``backbone``). ``--resume`` skips finished stages and resumes the first unfinished one
from its last checkpoint, so recipes that share a stage folder train that stage once (the experiment scripts,
:mod:`densessl.engine.experiment`).

Command-line overrides name their stage (:func:`split_recipe_options`)::

    --cfg-options cutmix.train_cfg.max_iters=200   # the stage config of stage 'cutmix'
    --cfg-options pixpro.model.backbone.init_cfg=None evaluate=False   # a stage key and a recipe key

    --cfg-options --> split_recipe_options --+--> KEY (evaluate, work_dir, stages, ...) --> the recipe
                                             +--> STAGE.KEY --> load_stage_configs: stage config
                                                                + its ``cfg_options`` + the command line (last wins)

A stage with ``cache=True`` (the demo's stand-in for ImageNet weights) trains once per machine: its result is kept
in ``~/.cache/densessl/stages/<name>-<key>/``, keyed by its config and data, and later runs copy it into their work
dir (:mod:`densessl.engine.stage_cache`; ``DENSESSL_STAGE_CACHE=refresh`` trains it again). At the end the recipe
prints each stage's wall time and whether it was trained, taken from the cache or finished before (--resume).
"""
import copy
import json
import os
import os.path as osp
import time
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from mmengine.config import Config

from densessl.utils.fileio import atomic_write_text

#: keys tools/train.py reads from a recipe itself (besides those the recipe file sets)
RECIPE_KEYS = ('stages', 'evaluate', 'work_dir')


def is_recipe(cfg: Config) -> bool:
    return 'stages' in cfg


def stage_names(recipe: Config) -> List[str]:
    return [spec.get('name') for spec in recipe.stages]


def stage_folder(work_dir: str, spec: dict) -> str:
    """The folder stage ``spec`` runs in: ``<work_dir>/<name>``, or its ``work_dir`` (relative to ``work_dir``).

    Examples:
        >>> stage_folder('runs/a', dict(name='pixpro')), stage_folder('runs/a', dict(name='ft', work_dir='.'))
        ('runs/a/pixpro', 'runs/a')
        >>> stage_folder('runs/a', dict(name='src', work_dir='../source'))
        'runs/source'
    """
    folder = spec.get('work_dir')
    if not folder:
        return osp.join(work_dir, spec['name'])
    return osp.normpath(folder if osp.isabs(folder) else osp.join(work_dir, folder))


def split_recipe_options(recipe: Config, options: Optional[dict]) -> Tuple[dict, Dict[str, dict]]:
    """Route ``--cfg-options`` given for a recipe to the recipe or to one of its stages.

    ``STAGE.KEY=VALUE`` (``STAGE`` a stage name) sets ``KEY`` in that stage's config; a key whose first part is a
    key of the recipe itself (``evaluate``, ``work_dir``, ``stages``, or one the recipe file sets) sets the recipe.

    Args:
        recipe (Config): the recipe config.
        options (dict | None): ``{dotted key: value}`` as parsed by :class:`mmengine.config.DictAction`.

    Returns:
        tuple[dict, dict[str, dict]]: the recipe's own options, and the options of every named stage (keys
        without the stage prefix).

    Raises:
        ValueError: a key is neither a recipe key nor ``STAGE.KEY`` of an existing stage; the message lists the
            stage names.
    """
    names = stage_names(recipe)
    own: dict = {}
    per_stage: Dict[str, dict] = {}
    for key, value in (options or {}).items():
        head, _, rest = key.partition('.')
        if head in names:
            if not rest:
                raise ValueError(f'--cfg-options {key}=...: name a key inside stage {head!r}, e.g. '
                                 f'{head}.train_cfg.max_iters=100')
            per_stage.setdefault(head, {})[rest] = value
        elif head in recipe or head in RECIPE_KEYS:
            own[key] = value
        else:
            raise ValueError(
                f'--cfg-options {key}=...: {head!r} is neither a key of the recipe {recipe.filename} nor one of its '
                f'stages ({", ".join(names)}). To change a stage\'s config, prefix the key with the stage name, e.g. '
                f'{names[-1]}.{key}=...')
    return own, per_stage


def _set_key(cfg: Config, key: str, value) -> None:
    cfg.merge_from_dict({key: value})


def _get_key(cfg: Config, key: str):
    node = cfg
    for part in key.split('.'):
        if part not in node:
            raise KeyError(f'{key!r} does not exist in the stage config {cfg.filename}')
        node = node[part]
    return node


def load_stage_configs(recipe: Config, stage_options: Optional[Dict[str, dict]] = None) -> List[Dict]:
    """Resolve the recipe's stages into (name, Config, spec) entries, validating names and references.

    Args:
        recipe (Config): the recipe config.
        stage_options (dict[str, dict], optional): per stage name, ``{dotted key: value}`` overrides applied after
            the stage's own ``cfg_options`` (the second value of :func:`split_recipe_options`).

    Returns:
        list[dict]: per stage ``name``, ``cfg`` (the stage Config with all overrides) and ``spec`` (its entry in
        ``stages``), in order.
    """
    stages = recipe.stages
    if not stages:
        raise ValueError(f'{recipe.filename}: `stages` is empty')
    stage_options = stage_options or {}
    unknown = sorted(set(stage_options) - set(stage_names(recipe)))
    if unknown:
        raise ValueError(f'{recipe.filename}: options for unknown stage(s) {unknown}; the stages are '
                         f'{stage_names(recipe)}')
    here = osp.dirname(osp.abspath(recipe.filename))
    seen, folders, out = set(), {}, []
    for i, spec in enumerate(stages):
        name = spec.get('name')
        if not name or name in seen or '/' in name or '.' in name:
            raise ValueError(f'{recipe.filename}: stage {i} needs a unique `name` without "/" or ".", got {name!r}')
        if name in recipe or name in RECIPE_KEYS:
            raise ValueError(f'{recipe.filename}: stage name {name!r} is also a key of the recipe, so '
                             f'--cfg-options {name}.KEY would be ambiguous; rename the stage')
        src = spec.get('init_backbone_from')
        if src is not None and src not in seen:
            raise ValueError(f'{recipe.filename}: stage {name!r} takes its backbone from {src!r}, '
                             'which is not an earlier stage')
        if not isinstance(spec.get('cache', False), bool):
            raise ValueError(f'{recipe.filename}: stage {name!r}: `cache` must be True or False, got '
                             f'{spec["cache"]!r}')
        if spec.get('cache') and i == len(stages) - 1 and recipe.get('evaluate', True):
            raise ValueError(f'{recipe.filename}: stage {name!r} has cache=True but is the last stage, which the '
                             'recipe evaluates: a cached result would skip the evaluation. Cache an earlier stage, '
                             'or set evaluate=False')
        folder = osp.normpath(stage_folder('.', spec))
        if folder in folders:
            raise ValueError(f'{recipe.filename}: stages {folders[folder]!r} and {name!r} would both run in the '
                             f'folder {folder!r} of the work dir; give one of them another `work_dir`')
        folders[folder] = name
        if spec.get('cache') and folder == '.':
            raise ValueError(f'{recipe.filename}: stage {name!r} has cache=True and runs in the recipe\'s own folder '
                             "(work_dir='.'): the cache copies a stage's whole folder, so give it a folder of its own")
        seen.add(name)
        path = spec['config'] if osp.isabs(spec['config']) else osp.join(here, spec['config'])
        if not osp.isfile(path):
            raise FileNotFoundError(f'{recipe.filename}: stage {name!r} config not found: {path}')
        cfg = Config.fromfile(path)
        if spec.get('cfg_options'):
            cfg.merge_from_dict(dict(spec['cfg_options']))
        if stage_options.get(name):
            cfg.merge_from_dict(dict(stage_options[name]))
        out.append(dict(name=name, cfg=cfg, spec=spec))
    return out


#: the file in a stage's folder that says the stage has finished (what the next stages and --resume read)
STAGE_DONE = 'stage_done.json'
#: the backbone of a finished stage, extracted (in its folder) when a later stage starts from it
BACKBONE_FILE = 'backbone.pth'


def _done_file(folder: str) -> str:
    return osp.join(folder, STAGE_DONE)


def read_stage_done(folder: str) -> Optional[dict]:
    """``stage_done.json`` of the stage in ``folder``, or ``None`` when the stage has not finished."""
    path = _done_file(folder)
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def write_stage_done(folder: str, info: dict) -> None:
    """Write ``stage_done.json`` into ``folder`` (atomically): ``checkpoint`` (its final checkpoint), ``config``,
    ``cfg_options``, ``evaluated``, ``metrics``, ``seconds``; optionally ``backbone``, the backbone extracted from
    ``checkpoint`` that the next stages load."""
    atomic_write_text(_done_file(folder), json.dumps(info, indent=2))


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


def _jsonable(options: dict) -> dict:
    return json.loads(json.dumps(options, default=repr))


def _sets_init_cfg(options: dict, backbone_key: str) -> bool:
    """Whether ``options`` (one stage's command-line overrides) set the backbone's ``init_cfg`` themselves."""
    target = f'{backbone_key}.init_cfg'
    return any(k == target or k.startswith(target + '.') for k in options)


def _check_stage_checkpoints(stages: List[Dict], work_dir: str, resume: bool, stage_options: Dict[str, dict],
                             skip: set) -> None:
    """Fail before the first stage trains when any stage to run names a checkpoint file that does not exist.

    The backbones the recipe hands from stage to stage do not exist yet and are not checked; a stage that will be
    resumed ignores its ``load_from`` (as tools/train.py does).
    """
    from densessl.utils import check_checkpoints

    for stage in stages:
        name, spec = stage['name'], stage['spec']
        if name in skip:
            continue
        cfg = copy.deepcopy(stage['cfg'])
        key = spec.get('backbone_key', 'model.backbone')
        if spec.get('init_backbone_from') is not None and not _sets_init_cfg(stage_options.get(name, {}), key):
            _get_key(cfg, key)
            _set_key(cfg, f'{key}.init_cfg', None)
        if resume and osp.isfile(osp.join(stage_folder(work_dir, spec), 'last_checkpoint')):
            cfg.load_from = None
        check_checkpoints(cfg, option_prefix=f'{name}.')


def format_stage_times(rows: Sequence[Tuple[str, float, str]], total_seconds: float) -> str:
    """The wall-time table a recipe prints at its end.

    Args:
        rows: per stage ``(name, seconds, how)``; ``how`` says whether it was trained, cached or reused.
        total_seconds: the recipe's whole wall time (checks, hand-offs and copies included).

    Returns:
        str: the table, one line per stage and a total.

    Examples:
        >>> print(format_stage_times([('source', 1.2, 'cached (trained in 16.5 min)'),
        ...                           ('pixpro', 600, 'trained')], 610))
        stage     minutes  how
        source       0.02  cached (trained in 16.5 min)
        pixpro      10.00  trained
        total       10.17
    """
    width = max([len('stage'), len('total')] + [len(r[0]) for r in rows])
    lines = [f'{"stage":<{width}}  {"minutes":>7}  how']
    lines += [f'{name:<{width}}  {seconds / 60:7.2f}  {how}' for name, seconds, how in rows]
    lines.append(f'{"total":<{width}}  {total_seconds / 60:7.2f}')
    return '\n'.join(lines)


def _use_cached_stage(name: str, cfg: Config, spec: dict, options: dict, work_dir: str,
                      cache_context: Optional[dict], logger,
                      label: str) -> Tuple[Optional[dict], Optional[Tuple[str, dict]]]:
    """For a stage with ``cache=True``: restore it from the cache when there (returns its ``stage_done`` info),
    else return the key to store it under after training. ``(None, None)`` when the stage is not cached."""
    from mmengine.dist import barrier, broadcast_object_list, get_rank

    from densessl.engine import stage_cache
    from densessl.utils import ensure_demo_data_for

    mode = stage_cache.cache_mode()
    if not spec.get('cache') or mode == 'off':
        return None, None
    ensure_demo_data_for(cfg)  # the key reads the demo data's parameters
    key, inputs = stage_cache.stage_cache_key(cfg, cache_context)
    entry, problem = stage_cache.find_entry(name, key)
    path = stage_cache.entry_path(name, key)
    if problem:
        logger(f'[recipe] stage {name!r}: ignoring the incomplete cache entry {path}: {problem}')
    if entry is None or mode == 'refresh':
        why = 'DENSESSL_STAGE_CACHE=refresh' if entry is not None else 'no cached result'
        logger(f'[recipe] {label}: {why} (key {key}); training it, then caching it in {path}')
        return None, (key, inputs)
    stage_dir = stage_folder(work_dir, spec)
    done = [None]
    if get_rank() == 0:
        ckpt = stage_cache.restore_entry(entry, stage_dir)
        done[0] = dict(checkpoint=ckpt, config=cfg.filename, cfg_options=options,
                       evaluated=False, metrics=entry.get('metrics', {}), seconds=entry.get('seconds'),
                       cached_from=path, cache_key=key)
        write_stage_done(stage_dir, done[0])
    barrier()
    broadcast_object_list(done)
    minutes = f'{entry["seconds"] / 60:.1f} min' if entry.get('seconds') is not None else 'unknown time'
    logger(f'[recipe] {label}: reusing cached stage {path} (key {key}, trained in {minutes} on '
           f'{entry.get("created", "?")}); to train it again, set {stage_cache.CACHE_ENV}=refresh or delete that '
           'folder')
    return done[0], None


def run_recipe(recipe: Config, work_dir: str, resume: bool, run_stage: Callable[..., dict],
               logger=print, stage_options: Optional[Dict[str, dict]] = None,
               cache_context: Optional[dict] = None) -> dict:
    """Run every stage of ``recipe``, then print each stage's wall time (:func:`format_stage_times`).

    Args:
        recipe: the recipe config (its own ``--cfg-options`` already merged).
        work_dir: the recipe's work dir; stage ``k`` runs in ``work_dir/<name_k>``.
        resume: skip finished stages, resume the first unfinished one.
        run_stage: ``run_stage(cfg, work_dir, resume, evaluate, name) -> metrics dict`` builds a Runner and trains
            (tools/train.py's function, which also handles the distributed setup); ``name`` is the stage's name,
            for messages that show the ``--cfg-options name.KEY`` form.
        logger: called with each progress message.
        stage_options: per stage name, command-line overrides of its config (:func:`split_recipe_options`),
            applied after the stage's own ``cfg_options``. An override of the backbone's ``init_cfg`` of a stage
            with ``init_backbone_from`` replaces the hand-off.
        cache_context: what ``run_stage`` changes besides the config (tools/train.py: ``{'amp': ...}``), part of
            the key of stages with ``cache=True`` (:func:`densessl.engine.stage_cache.stage_cache_key`).

    Returns:
        The metrics of the final evaluation (empty when ``evaluate`` is False).
    """
    from densessl.apis import extract_backbone
    from densessl.engine import stage_cache
    from mmengine.dist import barrier, get_rank

    start = time.time()
    stage_options = stage_options or {}
    stages = load_stage_configs(recipe, stage_options)
    evaluate = recipe.get('evaluate', True)
    if any(stage['spec'].get('cache') for stage in stages):
        stage_cache.cache_mode()  # a wrong DENSESSL_STAGE_CACHE fails here, not after the first stages trained
    folders = {stage['name']: stage_folder(work_dir, stage['spec']) for stage in stages}
    finished = {}
    for k, stage in enumerate(stages):
        name = stage['name']
        done = read_stage_done(folders[name]) if resume else None
        if done is not None and not (k == len(stages) - 1 and evaluate and not done.get('evaluated')):
            finished[name] = done
    _check_stage_checkpoints(stages, work_dir, resume, stage_options, skip=set(finished))
    metrics: dict = {}
    times: List[Tuple[str, float, str]] = []
    for k, stage in enumerate(stages):
        t0 = time.time()
        name, cfg, spec = stage['name'], stage['cfg'], stage['spec']
        options = _jsonable(stage_options.get(name, {}))
        stage_dir = folders[name]
        is_last = k == len(stages) - 1
        label = f'stage {k + 1}/{len(stages)} {name!r}'
        if name in finished:
            done = finished[name]
            logger(f'[recipe] {label} already finished ({done["checkpoint"]}); skipping')
            if options != done.get('cfg_options', {}):
                logger(f'[recipe] stage {name!r} finished with --cfg-options {done.get("cfg_options", {})}, not the '
                       f'{options} given now; it is kept as it is (delete {_done_file(stage_dir)} to run it '
                       'again)')
            times.append((name, time.time() - t0, 'reused (finished before, --resume)'))
            continue
        src = spec.get('init_backbone_from')
        key = spec.get('backbone_key', 'model.backbone')
        if src is not None and _sets_init_cfg(options, key):
            logger(f'[recipe] stage {name!r}: {key}.init_cfg set by --cfg-options; not taking the backbone of '
                   f'stage {src!r}')
        elif src is not None:
            src_done = read_stage_done(folders[src])
            if src_done is None:
                raise RuntimeError(f'stage {name!r} needs stage {src!r}, which has not finished')
            backbone = src_done.get('backbone')
            if backbone and not osp.isfile(backbone):
                raise FileNotFoundError(f'{_done_file(folders[src])} names the backbone {backbone}, which does not '
                                        'exist; delete that stage_done.json to run the stage again')
            if not backbone:  # extracted once, next to the checkpoint; every later stage (and recipe) reuses it
                backbone = osp.join(folders[src], BACKBONE_FILE)
                if get_rank() == 0:
                    extract_backbone(src_done['checkpoint'], backbone)
                    write_stage_done(folders[src], dict(src_done, backbone=backbone))
                barrier()
            _get_key(cfg, key)  # fail with a clear message when the key is wrong
            _set_key(cfg, f'{key}.init_cfg', dict(type='Pretrained', checkpoint=backbone))
            logger(f'[recipe] stage {name!r}: backbone initialised from stage {src!r} ({backbone})')
        cached, store_key = _use_cached_stage(name, cfg, spec, options, work_dir, cache_context, logger,
                                              label)
        if cached is not None:
            trained = cached.get('seconds')
            times.append((name, time.time() - t0, 'cached' + (f' (trained in {trained / 60:.1f} min)'
                                                              if trained is not None else '')))
            continue
        logger(f'[recipe] {label}: {cfg.filename} -> {stage_dir}'
               + (f' with --cfg-options {options}' if options else ''))
        resume_stage = resume and osp.isfile(osp.join(stage_dir, 'last_checkpoint'))
        stage_eval = evaluate and is_last
        metrics = run_stage(copy.deepcopy(cfg), stage_dir, resume_stage, stage_eval, name)
        seconds = time.time() - t0
        if get_rank() == 0:
            ckpt = last_checkpoint(stage_dir)
            write_stage_done(stage_dir, dict(checkpoint=ckpt, config=cfg.filename, cfg_options=options,
                                             evaluated=stage_eval, metrics=metrics, seconds=seconds))
            if store_key is not None:
                try:
                    path = stage_cache.store_entry(
                        name, *store_key, stage_dir=stage_dir, checkpoint=ckpt,
                        info=dict(seconds=seconds, resumed=resume_stage, config=cfg.filename, cfg_options=options,
                                  metrics=metrics, work_dir=osp.abspath(stage_dir)))
                    logger(f'[recipe] stage {name!r} cached in {path}: later runs reuse it')
                except OSError as e:  # the stage itself has finished: a full disk must not fail the recipe
                    logger(f'[recipe] WARNING: stage {name!r} could not be cached ({e}); it will train again')
        barrier()
        times.append((name, seconds, ('resumed' if resume_stage else 'trained')
                      + (' + evaluation' if stage_eval else '')))
    total = time.time() - start
    if get_rank() == 0:
        with open(osp.join(work_dir, 'stage_times.json'), 'w') as f:
            json.dump(dict(total_seconds=total, stages=[dict(name=n, seconds=s, how=h) for n, s, h in times]), f,
                      indent=2)
    logger('[recipe] wall time per stage:\n' + format_stage_times(times, total))
    return metrics
