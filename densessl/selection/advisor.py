"""The label-budget advisor: from a backbone and a pool of unlabeled images to the split files of the images to
annotate (``tools/suggest_labels.py`` is its command line).

::

    suggest_labels(CONFIG_OR_CKPT, IMAGES, budget, strategy, out_dir)
      resolve_model / build_pool            (densessl.selection.features; errors before any work)
      parse_budget                          0, > pool, empty pool -> ValueError
      random:   no features                 the draw of tools/make_splits.py for the same seed
      else:     build_backbone -> extract_features (cached in a feature folder) -> select(strategy)
      write     out_dir/labeled.txt, unlabeled.txt  (sorted names: the split format the configs read)
                out_dir/selection.json              (strategy, weights, per-pick distances / gains, cluster sizes)
                out_dir/selection.png               (contact sheet of the chosen images, in pick order)

Everything is computed (and the sheet drawn) before the first file is written: an error leaves nothing half
written.
"""
import json
import os
import os.path as osp
import time
from typing import Dict, Optional, Sequence, Union

from mmengine.config import Config

from densessl.datasets.splits import write_split
from .features import (build_backbone, build_pool, default_feature_dir, extract_features, feature_key,
                       find_backbone_cfg, find_preprocessor_cfg, pool_names, resolve_model)
from .report import contact_sheet
from .strategies import REGION_STRATEGIES, STRATEGIES, parse_budget, select, select_random

__all__ = ['suggest_labels', 'DEFAULT_FEATURE_ROOT']

#: where feature folders go unless told otherwise (relative to the working directory)
DEFAULT_FEATURE_ROOT = osp.join('work_dirs', 'suggest_labels', 'features')


def _config_only(config_or_ckpt: str, config: Optional[str]) -> Optional[Config]:
    """The config for listing the pool when no weights are needed (the random strategy)."""
    if config is not None:
        if not osp.isfile(config):
            raise FileNotFoundError(f'--config file not found: {config}')
        return Config.fromfile(config)
    if not osp.exists(config_or_ckpt):
        raise FileNotFoundError(f'config or checkpoint not found: {config_or_ckpt}')
    if config_or_ckpt.endswith('.py'):
        return Config.fromfile(config_or_ckpt)
    from densessl.apis import load_checkpoint_file
    meta = load_checkpoint_file(config_or_ckpt).get('meta')
    text = meta.get('cfg') if isinstance(meta, dict) else None
    return Config.fromstring(text, '.py') if text else None


def suggest_labels(config_or_ckpt: str,
                   images: str,
                   budget: Union[int, str],
                   strategy: str = 'dense',
                   out_dir: Optional[str] = None,
                   checkpoint: Optional[str] = None,
                   config: Optional[str] = None,
                   source: str = 'online',
                   seed: int = 0,
                   img_suffix: Optional[str] = None,
                   image_size: Optional[Sequence[int]] = None,
                   batch_size: int = 32,
                   num_workers: int = 0,
                   stage: int = -1,
                   region_grid: int = 4,
                   feature_root: Optional[str] = DEFAULT_FEATURE_ROOT,
                   device: Optional[str] = None,
                   sheet_max: int = 100,
                   overwrite: bool = False,
                   progress: bool = True,
                   strategy_options: Optional[Dict] = None) -> Dict:
    """Choose ``budget`` images of ``images`` to annotate and write the split.

    Args:
        config_or_ckpt (str): a model config (``.py``) or a checkpoint (see
            :func:`~densessl.selection.features.resolve_model`).
        images (str): a folder of images or a split / list file of the config's dataset (the pool).
        budget (int | str): number of images, or a percentage of the pool (``'2%'``).
        strategy (str): one of :data:`~densessl.selection.strategies.STRATEGIES`.
        out_dir (str, optional): where the split, ``selection.json`` and ``selection.png`` go; ``None``: nothing
            is written.
        checkpoint (str, optional), config (str, optional): the other half of ``config_or_ckpt``.
        source (str): ``'online'`` or ``'target'`` network of a self-supervised checkpoint.
        seed (int): seed of the strategy.
        img_suffix (str, optional), image_size (sequence[int], optional): see
            :func:`~densessl.selection.features.build_pool`.
        batch_size, num_workers, stage, region_grid: see :func:`~densessl.selection.features.extract_features`.
        feature_root (str, optional): features are cached in a folder under it (one per weights, settings and
            pool); ``None`` keeps them in memory.
        device (str, optional): defaults to mmengine's choice.
        sheet_max (int): at most this many thumbnails on the contact sheet (0: no sheet).
        overwrite (bool): replace an existing split in ``out_dir``.
        progress (bool): progress bar while embedding.
        strategy_options (dict, optional): extra arguments of the strategy's function (e.g. ``num_words``,
            ``beta``, ``minibatch``).

    Returns:
        dict: the contents of ``selection.json`` plus ``labeled`` and ``unlabeled`` (sorted names).

    Raises:
        FileNotFoundError: a named file or folder is missing.
        FileExistsError: ``out_dir`` holds a split and ``overwrite`` is False.
        ValueError: unknown strategy, bad budget, empty pool, a checkpoint without a backbone, ...
    """
    if strategy not in STRATEGIES:
        raise ValueError(f'unknown strategy {strategy!r}; choose one of {", ".join(STRATEGIES)}')
    if out_dir is not None and not overwrite:
        existing = [f for f in ('labeled.txt', 'unlabeled.txt') if osp.isfile(osp.join(out_dir, f))]
        if existing:
            raise FileExistsError(f'{out_dir} already holds a split ({", ".join(existing)}): choose another --out '
                                  'or pass --overwrite')
    from densessl.utils import register_all_modules
    register_all_modules(init_default_scope=False)

    t0 = time.time()
    if strategy == 'random':
        cfg, weights, ckpt = _config_only(config_or_ckpt, config), None, None
    else:
        cfg, weights, ckpt = resolve_model(config_or_ckpt, checkpoint, config)
    in_channels = find_backbone_cfg(cfg).get('in_channels', 3) if cfg is not None and strategy != 'random' else 3
    pool = build_pool(images, cfg, img_suffix=img_suffix, image_size=image_size, in_channels=in_channels)
    names = pool_names(pool)
    n_budget = parse_budget(budget, len(names))
    if len(set(names)) != len(names):
        raise ValueError(f'{images} lists some images more than once')

    features_meta = None
    t_feat = time.time()
    if strategy == 'random':
        order = sorted(range(len(names)), key=names.__getitem__)  # make_split draws from the sorted names
        sel = select_random(len(names), n_budget, seed)
        picks = [order[i] for i in sel.indices]
        info = sel.info
    else:
        backbone = build_backbone(cfg, weights, ckpt, source=source, device=device)
        key = feature_key(cfg, weights, source, image_size)
        fdir = default_feature_dir(feature_root, key, images) if feature_root else None
        feats = extract_features(backbone, pool, find_preprocessor_cfg(cfg), batch_size=batch_size,
                                 num_workers=num_workers, stage=stage, region_grid=region_grid,
                                 with_regions=True, feature_dir=fdir, key=key, progress=progress)
        del backbone
        features_meta = {k: v for k, v in feats.meta.items() if k in ('dim', 'regions_per_image', 'stage',
                                                                     'region_grid', 'feature_dir', 'image_size')}
        t_feat = time.time()
        sel = select(strategy, n_budget, pooled=feats.pooled,
                     regions=feats.regions if strategy in REGION_STRATEGIES else None, seed=seed,
                     **(strategy_options or {}))
        picks, info = sel.indices, sel.info
    t_sel = time.time()

    chosen = set(picks)
    labeled = sorted(names[i] for i in picks)
    unlabeled = sorted(names[i] for i in range(len(names)) if i not in chosen)
    per_pick = info.pop('per_pick', {})
    summary = dict(
        strategy=strategy, budget=n_budget, pool_size=len(names), seed=seed, images=osp.abspath(images),
        config=getattr(cfg, 'filename', None) if cfg is not None else None, checkpoint=weights, source=source,
        features=features_meta,
        chosen=[dict(rank=r, name=names[i], index=i, **{k: v[r] for k, v in per_pick.items()})
                for r, i in enumerate(picks)],
        details=info,
        seconds=dict(features=round(t_feat - t0, 2), selection=round(t_sel - t_feat, 2)))
    if out_dir is not None:
        sheet = None
        if sheet_max > 0:
            shown = picks[:sheet_max]
            more = f' (first {sheet_max} of {len(picks)})' if len(picks) > sheet_max else ''
            sheet = contact_sheet([pool.get_data_info(i)['img_path'] for i in shown],
                                  [f'{r + 1}. {names[i]}' for r, i in enumerate(shown)],
                                  title=f'{strategy}: {n_budget} of {len(names)} images{more}')
        summary['files'] = dict(labeled=osp.join(out_dir, 'labeled.txt'), unlabeled=osp.join(out_dir, 'unlabeled.txt'),
                                selection=osp.join(out_dir, 'selection.json'),
                                contact_sheet=osp.join(out_dir, 'selection.png') if sheet is not None else None)
        write_split(out_dir, labeled, unlabeled)
        tmp = osp.join(out_dir, 'selection.json.tmp')
        with open(tmp, 'w') as f:
            json.dump(summary, f, indent=1)
        os.replace(tmp, osp.join(out_dir, 'selection.json'))
        if sheet is not None:
            sheet.save(osp.join(out_dir, 'selection.png'))
    return dict(summary, labeled=labeled, unlabeled=unlabeled)
