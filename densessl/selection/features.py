"""Image and region features of an unlabeled pool, from a backbone, for choosing which images to label.

Data flow::

    CONFIG_OR_CKPT ─ resolve_model ─> config (the .py file, or the one a Runner checkpoint carries in meta.cfg)
                                      + weights (--checkpoint, the checkpoint itself, or the backbone's
                                        init_cfg=Pretrained file)
                   ─ build_backbone ─> the config's (first) backbone, weights loaded with the hand-off rules
                                      (densessl.apis.handoff: pretraining online/target nets, segmentors,
                                      extracted backbones, torchvision), eval mode, on mmengine's device
    DIR_OR_SPLIT   ─ build_pool ─────> a dataset: a folder -> SplitSegDataset over every image in it;
                                      a split / list file -> the config's training dataset class with that file
                                      (unlabeled: no masks read); pipeline: load [-> resize] -> PackSegInputs
    extract_features: DataLoader batches -> mmengine ImgDataPreprocessor (the config's mean / std / channel order)
        -> backbone -> stage map F (B, C, h, w)
        -> pooled  = normalize(mean_hw F)                          (N, C)       float32
           regions = normalize(adaptive_avg_pool(F, g x g))        (N, g*g, C)  float16
        -> in memory, or .npy memmaps in a feature folder written chunk by chunk (flushed with a progress record:
           an interrupted extraction resumes; the same images, weights and settings reuse the folder)

Features are L2-normalised: the strategies' Euclidean distances are cosine distances.
"""
import hashlib
import json
import os
import os.path as osp
import sys
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.config import Config

__all__ = [
    'Features', 'resolve_model', 'find_backbone_cfg', 'find_preprocessor_cfg', 'build_backbone',
    'build_pool', 'pool_names', 'extract_features', 'feature_key', 'default_feature_dir'
]

class Features(NamedTuple):
    """Features of a pool of images.

    Attributes:
        names (list[str]): sample names (split-file lines), in row order.
        pooled (np.ndarray): ``(N, C)`` float32, L2-normalised (a memmap when written to a feature folder).
        regions (np.ndarray | None): ``(N, R, C)`` float16, L2-normalised region features.
        meta (dict): how they were made (weights, stage, image size, grid, folder).
    """
    names: List[str]
    pooled: np.ndarray
    regions: Optional[np.ndarray]
    meta: Dict


def _densessl_scope():
    """Every module registered, and ``densessl`` the default scope while building (config type names as in the
    configs: ``LoadCheckedImageFromFile``, ``PackSegInputs``, ``ResNet``, ...)."""
    from mmengine.registry import DefaultScope

    from densessl.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    return DefaultScope.overwrite_default_scope('densessl')


def _find(node, want) -> Optional[dict]:
    """Breadth-first search of a config dict for the first dict ``want`` accepts."""
    queue = [node]
    while queue:
        cur = queue.pop(0)
        if isinstance(cur, dict):
            if want(cur):
                return cur
            queue.extend(v for v in cur.values() if isinstance(v, (dict, list, tuple)))
        elif isinstance(cur, (list, tuple)):
            queue.extend(cur)
    return None


def find_backbone_cfg(cfg: Config) -> dict:
    """The config of the model's backbone: ``model.backbone``, or the first nested one (``model.segmentor.backbone``
    of a semi-supervised segmentor, ``model.classifier.backbone``, ...).

    Raises:
        ValueError: the config has no model or no backbone.
    """
    model = cfg.get('model')
    found = _find(model.to_dict() if hasattr(model, 'to_dict') else model,
                  lambda d: isinstance(d.get('backbone'), dict)) if model else None
    if found is None:
        raise ValueError(f'{cfg.filename or "the config"}: no model.backbone (nor a nested one such as '
                         'model.segmentor.backbone): give the config of a model with a backbone')
    return dict(found['backbone'])


def find_preprocessor_cfg(cfg: Config) -> dict:
    """``mean`` / ``std`` / ``bgr_to_rgb`` of the model's data preprocessor (the first nested one that has a mean);
    ImageNet statistics and BGR -> RGB when the config has none."""
    model = cfg.get('model') or {}
    found = _find(model.to_dict() if hasattr(model, 'to_dict') else model,
                  lambda d: isinstance(d.get('data_preprocessor'), dict) and 'mean' in d['data_preprocessor'])
    pre = dict(found['data_preprocessor']) if found else {}
    return dict(mean=list(pre.get('mean', [123.675, 116.28, 103.53])),
                std=list(pre.get('std', [58.395, 57.12, 57.375])),
                bgr_to_rgb=bool(pre.get('bgr_to_rgb', pre.get('to_rgb', True))))


def _pretrained_file(backbone_cfg: dict) -> Optional[str]:
    init = backbone_cfg.get('init_cfg')
    for item in init if isinstance(init, (list, tuple)) else [init]:
        if isinstance(item, dict) and item.get('type') == 'Pretrained' and item.get('checkpoint'):
            return item['checkpoint']
    return None


def resolve_model(config_or_ckpt: str, checkpoint: Optional[str] = None,
                  config: Optional[str] = None) -> Tuple[Config, str, Optional[dict]]:
    """The model config and the weights file to embed images with.

    Args:
        config_or_ckpt (str): a config (``.py``) or a checkpoint. A checkpoint saved by MMEngine's Runner carries
            its config (``meta.cfg``); an extracted backbone file does not and needs ``config``.
        checkpoint (str, optional): the weights, with a config as first argument. Without it the backbone's
            ``init_cfg=dict(type='Pretrained', checkpoint=...)`` file is used.
        config (str, optional): the config, with a checkpoint as first argument.

    Returns:
        tuple: the config, the weights path and the loaded checkpoint dict (``None`` when not loaded yet).

    Raises:
        FileNotFoundError: a named file does not exist.
        ValueError: no config can be found for a checkpoint, or no weights for a config.
    """
    from densessl.apis import load_checkpoint_file

    if not osp.exists(config_or_ckpt):
        raise FileNotFoundError(f'config or checkpoint not found: {config_or_ckpt}')
    for name, path in (('--checkpoint', checkpoint), ('--config', config)):
        if path is not None and not osp.isfile(path):
            raise FileNotFoundError(f'{name} file not found: {path}')
    if config_or_ckpt.endswith('.py'):
        if config is not None:
            raise ValueError(f'{config_or_ckpt} is a config already: give the weights with --checkpoint, not --config')
        cfg = Config.fromfile(config_or_ckpt)
        weights = checkpoint or _pretrained_file(find_backbone_cfg(cfg))
        if weights is None:
            raise ValueError(f'{config_or_ckpt} names no weights for its backbone (no init_cfg=Pretrained file): '
                             'give --checkpoint (a target-pretrained, supervised or extracted backbone checkpoint); '
                             'features of random weights would make the choice meaningless')
        if '://' not in weights and not osp.isfile(weights):
            raise FileNotFoundError(f'checkpoint not found: {weights} (the backbone init_cfg of {config_or_ckpt})')
        return cfg, weights, None
    if checkpoint is not None:
        raise ValueError(f'{config_or_ckpt} is a checkpoint already: give a model config with --config, not '
                         '--checkpoint')
    ckpt = load_checkpoint_file(config_or_ckpt)
    if config is not None:
        return Config.fromfile(config), config_or_ckpt, ckpt
    text = (ckpt.get('meta') or {}).get('cfg') if isinstance(ckpt.get('meta'), dict) else None
    if not text:
        raise ValueError(f'{config_or_ckpt} carries no config (meta.cfg; e.g. an extracted backbone file): give the '
                         'model config with --config, or a config as first argument with --checkpoint')
    return Config.fromstring(text, '.py'), config_or_ckpt, ckpt


def build_backbone(cfg: Config, weights: str, ckpt: Optional[dict] = None, source: str = 'online',
                   device: Optional[str] = None) -> torch.nn.Module:
    """The config's backbone with the checkpoint's backbone weights, in eval mode on ``device``.

    Args:
        cfg (Config): a config with a backbone (see :func:`find_backbone_cfg`).
        weights (str): the checkpoint (any layout of :mod:`densessl.apis.handoff`).
        ckpt (dict, optional): the already loaded checkpoint.
        source (str): ``'online'`` or ``'target'`` (EMA) network of a self-supervised checkpoint.
        device (str, optional): defaults to :func:`mmengine.device.get_device` (cuda, npu, mps or cpu).

    Raises:
        ValueError: the checkpoint holds no weights of this backbone (the message names the file), or no state dict.
        KeyError / RuntimeError / StemMismatchError: a partial or mismatched backbone (from the hand-off loader).
    """
    from mmengine.device import get_device

    from densessl.apis import backbone_state_dict, checkpoint_state_dict, load_backbone_weights, load_checkpoint_file
    from densessl.registry import MODELS

    bb_cfg = find_backbone_cfg(cfg)
    bb_cfg.pop('init_cfg', None)
    with _densessl_scope():
        backbone = MODELS.build(bb_cfg)
    try:
        state = checkpoint_state_dict(ckpt if ckpt is not None else load_checkpoint_file(weights))
        picked = backbone_state_dict(state, source)
    except ValueError as err:
        raise ValueError(f'{weights}: {err}') from err
    own = set(backbone.state_dict())
    if not own & set(picked):
        raise ValueError(
            f'{weights} holds no weights of the backbone ({bb_cfg.get("type")}): none of its {len(state)} keys '
            f'(e.g. {", ".join(list(state)[:4])}) is a backbone key such as {", ".join(sorted(own)[:3])}. Give a '
            'checkpoint with a backbone: a pretraining (PixPro / BYOL), segmentor or classifier checkpoint, or a '
            'backbone extracted with tools/model_converters/extract_backbone.py')
    load_backbone_weights(backbone, picked, logger='current')
    backbone.eval()  # (mmseg's ResNet.train() returns None: no chaining)
    return backbone.to(device or get_device())


def _train_dataset_cfg(cfg: Config) -> dict:
    """The config's training dataset; of a ConcatDataset (labeled + unlabeled) the unlabeled one."""
    loader = cfg.get('train_dataloader')
    ds = dict(loader['dataset']) if loader and 'dataset' in loader else None
    while ds is not None and ds.get('type') in ('ConcatDataset', 'RepeatDataset', 'ClassBalancedDataset'):
        if 'datasets' in ds:
            subs = [dict(d) for d in ds['datasets']]
            ds = next((d for d in subs if d.get('with_label') is False), subs[0])
        else:
            ds = dict(ds['dataset'])
    if ds is None or 'type' not in ds:
        raise ValueError(f'{cfg.filename or "the config"}: no train_dataloader.dataset to read the split file with; '
                         'give a folder of images instead, or the config of the dataset the split belongs to')
    return ds


def build_pool(images: str, cfg: Optional[Config] = None, img_suffix: Optional[str] = None,
               image_size: Optional[Sequence[int]] = None, in_channels: int = 3):
    """The dataset of the unlabeled pool.

    Args:
        images (str): a folder (every image in it, recursively; names relative to it, without suffix) or a split /
            list file of sample names read with the config's training dataset class (its ``data_root`` and
            ``data_prefix``; relative paths from the working directory, as the configs).
        cfg (Config, optional): needed for a split file.
        img_suffix (str, optional): image suffix in a folder; detected when all images share one.
        image_size (sequence[int], optional): ``(H, W)`` every image is resized to; default: as stored (batches
            of different sizes are embedded size by size).
        in_channels (int): 1 reads images as grayscale.

    Returns:
        the dataset (each item: ``inputs`` CHW uint8 tensor, ``data_samples``).

    Raises:
        FileNotFoundError: ``images`` does not exist, or a listed image is missing (named).
        ValueError: the folder holds no image / mixed suffixes, the split file is empty, or a split file without a
            config.
    """
    from densessl.datasets.base import SplitSegDataset
    from densessl.datasets.folder import find_image_suffix
    from densessl.registry import DATASETS

    scope = _densessl_scope()  # registers every module now (the dataset type lookup below needs it)
    pipeline = [dict(type='LoadCheckedImageFromFile', color_type='grayscale' if in_channels == 1 else 'color')]
    if image_size is not None:
        h, w = (int(image_size[0]), int(image_size[-1]))
        pipeline.append(dict(type='Resize', scale=(w, h), keep_ratio=False))
    pipeline.append(dict(type='PackSegInputs', meta_keys=('img_path', 'ori_shape', 'img_shape')))
    if osp.isdir(images):
        suffix = img_suffix or find_image_suffix(images)
        ds_cfg = dict(type='SplitSegDataset', data_root=None, data_prefix=dict(img_path=osp.abspath(images)),
                      ann_file='', img_suffix=suffix, with_label=False)
    elif osp.isfile(images):
        if cfg is None:
            raise ValueError(f'{images} is a split file: give the config of its dataset (or a folder of images)')
        ds_cfg = _train_dataset_cfg(cfg)
        ds_cfg.update(ann_file=osp.abspath(images))
        ds_cfg.pop('indices', None)
        if img_suffix:
            ds_cfg['img_suffix'] = img_suffix
        cls = DATASETS.get(ds_cfg['type'])
        if cls is None:
            raise ValueError(f'dataset type {ds_cfg["type"]!r} of the config is not registered')
        if issubclass(cls, SplitSegDataset):
            ds_cfg['with_label'] = False
            prefix = dict(ds_cfg.get('data_prefix') or {})
            prefix.pop('seg_map_path', None)
            ds_cfg['data_prefix'] = prefix
    else:
        raise FileNotFoundError(f'images not found: {images} (give a folder of images or a split file)')
    ds_cfg['pipeline'] = pipeline
    with scope:
        return DATASETS.build(ds_cfg)


def pool_names(dataset) -> List[str]:
    """Sample names (split-file lines) of every image of a pool dataset, in order."""
    names = []
    img_dir = dataset.data_prefix.get('img_path', '')
    suffix = getattr(dataset, 'img_suffix', '')
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        name = info.get('sample_name')
        if name is None:
            rel = osp.relpath(info['img_path'], img_dir) if img_dir else osp.basename(info['img_path'])
            name = rel[:-len(suffix)] if suffix and rel.endswith(suffix) else osp.splitext(rel)[0]
        names.append(name)
    return names


def _weights_id(weights: str) -> dict:
    if osp.isfile(weights):
        st = os.stat(weights)
        return dict(path=osp.abspath(weights), size=st.st_size, mtime=int(st.st_mtime))
    return dict(path=weights)


def _embed(backbone, preprocessor, inputs: List[torch.Tensor], stage: int, grid: int, with_regions: bool):
    """Pooled and region features of a list of CHW images (grouped by size)."""
    pooled = [None] * len(inputs)
    regions = [None] * len(inputs)
    groups: Dict[tuple, List[int]] = {}
    for i, t in enumerate(inputs):
        groups.setdefault(tuple(t.shape), []).append(i)
    for idx in groups.values():
        x = preprocessor(dict(inputs=[inputs[i] for i in idx]), False)['inputs']
        out = backbone(x)
        fmap = out[stage] if isinstance(out, (list, tuple)) else out
        if fmap.dim() != 4:
            raise ValueError(f'backbone output {stage} has shape {tuple(fmap.shape)}: a (B, C, h, w) feature map is '
                             'needed (choose another stage with --stage)')
        p = F.normalize(fmap.mean((2, 3)), dim=1).float().cpu()
        r = F.normalize(F.adaptive_avg_pool2d(fmap, grid).flatten(2).transpose(1, 2), dim=2).half().cpu() \
            if with_regions else None
        for k, i in enumerate(idx):
            pooled[i] = p[k]
            regions[i] = r[k] if r is not None else None
    return torch.stack(pooled), (torch.stack(regions) if with_regions else None)


@torch.no_grad()
def extract_features(backbone: torch.nn.Module, dataset, preprocessor_cfg: dict, batch_size: int = 32,
                     num_workers: int = 0, stage: int = -1, region_grid: int = 4, with_regions: bool = True,
                     feature_dir: Optional[str] = None, chunk_size: int = 1024, key: Optional[dict] = None,
                     progress: bool = True) -> Features:
    """Embed every image of ``dataset`` with ``backbone``.

    Args:
        backbone (nn.Module): in eval mode, on its device.
        dataset: a pool from :func:`build_pool`.
        preprocessor_cfg (dict): ``mean``, ``std``, ``bgr_to_rgb`` (:func:`find_preprocessor_cfg`).
        batch_size (int), num_workers (int): of the DataLoader.
        stage (int): which backbone output (default the last).
        region_grid (int): ``g``: region features are the map average-pooled to ``g x g`` cells.
        with_regions (bool): also compute region features.
        feature_dir (str, optional): write ``pooled.npy`` / ``regions.npy`` / ``names.txt`` / ``features.json``
            here, flushed every ``chunk_size`` images; a folder made with the same images, weights and settings is
            reused (and an interrupted one resumed). ``None``: keep everything in memory.
        chunk_size (int): images between flushes.
        key (dict, optional): what identifies the features besides the names and settings (weights, config).
        progress (bool): show mmengine's progress bar.

    Returns:
        Features: names, pooled ``(N, C)`` and region ``(N, g*g, C)`` features (memmaps when in a folder).
    """
    from mmengine.dataset import pseudo_collate
    from mmengine.model import ImgDataPreprocessor
    from mmengine.utils import ProgressBar

    names = pool_names(dataset)
    n = len(names)
    if n == 0:
        raise ValueError('the pool of images is empty: nothing to embed')
    device = next(backbone.parameters()).device
    pre = ImgDataPreprocessor(mean=preprocessor_cfg['mean'], std=preprocessor_cfg['std'],
                              bgr_to_rgb=preprocessor_cfg.get('bgr_to_rgb', False)).to(device)
    settings = dict(stage=stage, region_grid=region_grid, with_regions=with_regions,
                    names_sha1=hashlib.sha1('\n'.join(names).encode()).hexdigest(), num_images=n, **(key or {}))
    meta = dict(settings, done=0)
    pooled = regions = None
    if feature_dir is not None:
        meta_path = osp.join(feature_dir, 'features.json')
        if osp.isfile(meta_path):
            with open(meta_path) as f:
                old = json.load(f)
            if {k: old.get(k) for k in settings} == json.loads(json.dumps(settings)) and old.get('dim'):
                meta = old
                mode = 'r' if old['done'] >= n else 'r+'
                pooled = np.load(osp.join(feature_dir, 'pooled.npy'), mmap_mode=mode)
                regions = np.load(osp.join(feature_dir, 'regions.npy'), mmap_mode=mode) if with_regions else None
                if old['done'] >= n:
                    return Features(names, pooled, regions, dict(meta, feature_dir=feature_dir))
        os.makedirs(feature_dir, exist_ok=True)
    start = meta['done']
    subset = torch.utils.data.Subset(dataset, range(start, n))
    loader = torch.utils.data.DataLoader(subset, batch_size=batch_size, shuffle=False, num_workers=num_workers,
                                         collate_fn=pseudo_collate)
    bar = ProgressBar(n - start, file=sys.stdout) if progress else None
    row = start
    since_flush = 0
    for batch in loader:
        p, r = _embed(backbone, pre, [t.to(device) for t in batch['inputs']], stage, region_grid, with_regions)
        if pooled is None:
            shape_r = (n, ) + tuple(r.shape[1:]) if with_regions else None
            meta.update(dim=int(p.shape[1]), regions_per_image=int(r.shape[1]) if with_regions else 0)
            if feature_dir is None:
                pooled = np.zeros((n, p.shape[1]), np.float32)
                regions = np.zeros(shape_r, np.float16) if with_regions else None
            else:
                pooled = np.lib.format.open_memmap(osp.join(feature_dir, 'pooled.npy'), 'w+', np.float32,
                                                   (n, p.shape[1]))
                regions = np.lib.format.open_memmap(osp.join(feature_dir, 'regions.npy'), 'w+', np.float16,
                                                    shape_r) if with_regions else None
                with open(osp.join(feature_dir, 'names.txt'), 'w') as f:
                    f.write(''.join(f'{s}\n' for s in names))
        pooled[row:row + len(p)] = p.numpy()
        if with_regions:
            regions[row:row + len(p)] = r.numpy()
        row += len(p)
        since_flush += len(p)
        if bar is not None:
            bar.update(len(p))
        if feature_dir is not None and (since_flush >= chunk_size or row == n):
            pooled.flush()
            if with_regions:
                regions.flush()
            meta['done'] = row
            tmp = osp.join(feature_dir, 'features.json.tmp')
            with open(tmp, 'w') as f:
                json.dump(meta, f, indent=1)
            os.replace(tmp, osp.join(feature_dir, 'features.json'))
            since_flush = 0
    if bar is not None:
        sys.stdout.write('\n')
    meta['done'] = row
    return Features(names, pooled, regions, dict(meta, feature_dir=feature_dir))


def feature_key(cfg: Config, weights: str, source: str, image_size) -> dict:
    """What identifies features besides the images: the weights file, network, backbone config and image size."""
    backbone = find_backbone_cfg(cfg)
    backbone.pop('init_cfg', None)
    return dict(weights=_weights_id(weights), source=source, backbone=json.loads(json.dumps(backbone, default=str)),
                image_size=list(image_size) if image_size else None)


def default_feature_dir(root: str, key: dict, images: str) -> str:
    """``root/<12 hex digits>``: one folder per (weights, settings, images) combination."""
    text = json.dumps(dict(key, images=osp.abspath(images)), sort_keys=True, default=str)
    return osp.join(root, hashlib.sha1(text.encode()).hexdigest()[:12])

