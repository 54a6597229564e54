"""Hand-off of backbone weights between stages: pretraining checkpoint → segmenter / classifier backbone.

Accepted checkpoint layouts (local path or URL, read with MMEngine's ``CheckpointLoader``):

============================  ===============================================  ==================================
layout                        keys                                             backbone taken from
============================  ===============================================  ==================================
densessl / mmpretrain         ``backbone.*``, ``target_net.module.0.*``, ...    ``backbone.`` (online) or the
pretraining (PixPro, BYOL,                                                     target net (``source='target'``)
MoCo) and mmseg / mmpretrain
task models
official PixPro release       ``module.encoder.*``, ``module.encoder_k.*``      ``module.encoder.`` / ``encoder_k``
torchvision ImageNet          ``conv1.weight``, ``layer1.0.*``, ``fc.*``       every key but ``fc.*``
a backbone-only file          ``conv1.weight`` / ``stem.0.weight`` ...         every key
============================  ===============================================  ==================================

A plain ResNet stem (``conv1``: torchvision, PixPro releases, mmseg ``ResNet``) and the deep stem (``stem.*``:
mmseg ``ResNetV1c``) are not interchangeable: loading one into the other leaves the stem randomly initialised.
:func:`check_stem` refuses that with an error that says which backbone type to use.
"""
import os
import os.path as osp
from collections import OrderedDict
from typing import Dict, List, NamedTuple, Optional, Union

import torch
import torch.nn as nn
from mmengine.logging import print_log
from mmengine.runner.checkpoint import CheckpointLoader

__all__ = [
    'StemMismatchError', 'LoadReport', 'load_checkpoint_file', 'checkpoint_state_dict', 'detect_format',
    'backbone_state_dict', 'stem_type', 'check_stem', 'load_backbone_weights', 'load_imagenet_weights',
    'extract_backbone'
]

#: where each layout keeps the online / target backbone
_PREFIXES = {
    'pretrain': {
        'online': ['backbone.'],
        'target': ['target_net.module.0.', 'encoder_k.module.0.'],
    },
    'pixpro_official': {
        'online': ['module.encoder.', 'encoder.'],
        'target': ['module.encoder_k.', 'encoder_k.'],
    },
}


class StemMismatchError(ValueError):
    """The checkpoint's ResNet stem (plain ``conv1`` vs deep ``stem.*``) does not match the backbone's."""


class LoadReport(NamedTuple):
    """Result of loading backbone weights."""
    missing: List[str]
    unexpected: List[str]
    format: str

    def __str__(self) -> str:
        def fmt(keys):
            return ', '.join(keys[:20]) + (f', ... ({len(keys)} in all)' if len(keys) > 20 else '') if keys \
                else 'none'
        return (f'checkpoint layout: {self.format}; missing backbone keys: {fmt(self.missing)}; '
                f'unexpected keys: {fmt(self.unexpected)}')


def load_checkpoint_file(filename: str, map_location: str = 'cpu') -> dict:
    """Read a checkpoint from a local path or URL (``http(s)://``, ``open-mmlab://``, ...).

    Raises:
        FileNotFoundError: a local file does not exist.
        RuntimeError: the file is corrupt / not a PyTorch checkpoint, or a URL cannot be fetched (the message names
            the file or URL).
    """
    if '://' not in filename:
        filename = osp.expanduser(filename)
        if not osp.isfile(filename):
            raise FileNotFoundError(f'checkpoint not found: {filename}')
    try:
        ckpt = CheckpointLoader.load_checkpoint(filename, map_location=map_location)
    except FileNotFoundError:
        raise
    except RuntimeError as err:
        if filename in str(err):
            raise
        raise RuntimeError(f'cannot read checkpoint {filename}: {err}') from err
    except Exception as err:  # network / unpickling errors from the URL loaders
        raise RuntimeError(f'cannot read checkpoint {filename} ({type(err).__name__}: {err})') from err
    if not isinstance(ckpt, dict):
        raise RuntimeError(f'cannot read checkpoint {filename}: expected a dict of tensors, got {type(ckpt).__name__}')
    return ckpt


def checkpoint_state_dict(ckpt: dict) -> Dict[str, torch.Tensor]:
    """The tensor dict inside a checkpoint (``state_dict`` / ``model`` / ``module`` entries, or the dict itself)."""
    for key in ('state_dict', 'model', 'module'):
        if key in ckpt and isinstance(ckpt[key], dict):
            return ckpt[key] if _is_tensor_dict(ckpt[key]) else checkpoint_state_dict(ckpt[key])
    if not _is_tensor_dict(ckpt):
        raise ValueError('checkpoint holds no state dict (looked for "state_dict", "model", "module" and a plain '
                         f'dict of tensors; top-level keys: {sorted(ckpt)[:10]})')
    return ckpt


def _is_tensor_dict(d: dict) -> bool:
    return bool(d) and any(isinstance(v, torch.Tensor) for v in d.values())


def detect_format(state_dict: Dict[str, torch.Tensor]) -> str:
    """Name the layout of a state dict: ``'pretrain'``, ``'pixpro_official'``, ``'torchvision'`` or ``'backbone'``."""
    keys = list(state_dict)
    if any(k.startswith(('module.encoder.', 'encoder.')) for k in keys):
        return 'pixpro_official'
    if any(k.startswith('backbone.') for k in keys):
        return 'pretrain'
    if 'fc.weight' in state_dict and 'conv1.weight' in state_dict:
        return 'torchvision'
    return 'backbone'


def backbone_state_dict(state_dict: Dict[str, torch.Tensor], source: str = 'online') -> Dict[str, torch.Tensor]:
    """The backbone's weights with bare keys (``conv1.weight``, ``layer1.0.conv1.weight``, ...).

    Args:
        state_dict: any layout of the module docstring.
        source: ``'online'`` (the trained network; default) or ``'target'`` (the EMA network) of a
            self-supervised checkpoint.

    Raises:
        ValueError: ``source`` unknown, or the layout has no such network.
    """
    if source not in ('online', 'target'):
        raise ValueError(f"source must be 'online' or 'target', got {source!r}")
    fmt = detect_format(state_dict)
    if fmt in _PREFIXES:
        for prefix in _PREFIXES[fmt][source]:
            picked = OrderedDict((k[len(prefix):], v) for k, v in state_dict.items() if k.startswith(prefix))
            if picked:
                return picked
        raise ValueError(f'the checkpoint ({fmt} layout) has no {source} backbone: no key starts with '
                         f'{" / ".join(_PREFIXES[fmt][source])}')
    if source == 'target':
        raise ValueError(f'a {fmt} checkpoint has no target network; use source="online"')
    sd = OrderedDict((k[len('module.'):] if k.startswith('module.') else k, v) for k, v in state_dict.items())
    if fmt == 'torchvision':
        sd = OrderedDict((k, v) for k, v in sd.items() if not k.startswith('fc.'))
    return sd


def stem_type(keys) -> Optional[str]:
    """``'deep'`` (``stem.*``, ResNetV1c/d), ``'plain'`` (``conv1`` 7×7, torchvision / mmseg ``ResNet``) or None."""
    keys = list(keys)
    if any(k.startswith('stem.') for k in keys):
        return 'deep'
    if 'conv1.weight' in keys:
        return 'plain'
    return None


def check_stem(state_dict: Dict[str, torch.Tensor], module: nn.Module, source: str = '') -> None:
    """Refuse a ResNet stem mismatch between backbone weights and a backbone module.

    Raises:
        StemMismatchError: one has the plain stem and the other the deep stem.
    """
    ckpt_stem, module_stem = stem_type(state_dict), stem_type(module.state_dict())
    if ckpt_stem and module_stem and ckpt_stem != module_stem:
        names = {'plain': 'plain-stem ResNet (conv1 7x7; torchvision, PixPro releases, mmseg `ResNet`)',
                 'deep': 'deep-stem ResNet (stem.*; mmseg `ResNetV1c`/`ResNetV1d`)'}
        fix = "type='ResNet'" if ckpt_stem == 'plain' else "type='ResNetV1c'"
        raise StemMismatchError(
            f'stem mismatch{" for " + source if source else ""}: the checkpoint has a {names[ckpt_stem]} but the '
            f'backbone ({type(module).__name__}) has a {names[module_stem]}; its stem would stay randomly '
            f'initialised. Use the same backbone type in every stage of a recipe (here: {fix}).')


def load_backbone_weights(module: nn.Module,
                          checkpoint: Union[str, Dict[str, torch.Tensor]],
                          source: str = 'online',
                          allow_missing: bool = False,
                          logger: Optional[str] = 'current') -> LoadReport:
    """Load backbone weights of any supported layout into a backbone module.

    Args:
        module: the backbone (e.g. mmseg ``ResNet``, or ``segmentor.backbone``).
        checkpoint: path/URL of a checkpoint, or a state dict.
        source: ``'online'`` or ``'target'`` network of a self-supervised checkpoint.
        allow_missing: when False (default) a backbone key absent from the checkpoint is an error.
        logger: where the report is printed (``None``: silent).

    Returns:
        the :class:`LoadReport` (missing and unexpected keys).

    Raises:
        FileNotFoundError / RuntimeError: unreadable checkpoint (see :func:`load_checkpoint_file`).
        StemMismatchError: plain vs deep ResNet stem.
        KeyError: backbone keys missing from the checkpoint (unless ``allow_missing``).
        RuntimeError: a tensor has the wrong shape (the message lists them).
    """
    name = checkpoint if isinstance(checkpoint, str) else 'the given state dict'
    state = checkpoint_state_dict(load_checkpoint_file(checkpoint)) if isinstance(checkpoint, str) else checkpoint
    fmt = detect_format(state)
    weights = backbone_state_dict(state, source)
    check_stem(weights, module, name)
    own = module.state_dict()
    bad_shapes = [f'{k}: checkpoint {tuple(v.shape)} vs backbone {tuple(own[k].shape)}' for k, v in weights.items()
                  if k in own and own[k].shape != v.shape]
    if bad_shapes:
        raise RuntimeError(f'{name}: {len(bad_shapes)} tensor(s) do not fit the backbone (different depth or '
                           'width?):\n  ' + '\n  '.join(bad_shapes[:20]))
    result = module.load_state_dict(weights, strict=False)
    missing = [k for k in result.missing_keys if not k.endswith('num_batches_tracked')]
    report = LoadReport(missing, list(result.unexpected_keys), fmt)
    if logger is not None:
        print_log(f'backbone weights from {name}: {report}', logger=logger)
    if missing and not allow_missing:
        raise KeyError(f'{name}: {len(missing)} backbone key(s) are not in the checkpoint ({fmt} layout): '
                       f'{", ".join(missing[:20])}')
    return report


def load_imagenet_weights(module: nn.Module, checkpoint: str, allow_missing: bool = False,
                          logger: Optional[str] = 'current') -> LoadReport:
    """Load ImageNet starting weights (torchvision or mmpretrain/mmseg layout, local path or URL) into a backbone.

    A torchvision checkpoint's classifier (``fc.*``) is dropped; an mmpretrain classifier's ``head.*`` is not a
    backbone key and is ignored. See :func:`load_backbone_weights` for the errors.
    """
    return load_backbone_weights(module, checkpoint, 'online', allow_missing, logger)


def extract_backbone(ckpt_in: str,
                     ckpt_out: str,
                     source: str = 'online',
                     add_prefix: str = '',
                     backbone: Optional[Union[nn.Module, dict]] = None) -> Dict[str, torch.Tensor]:
    """Write the backbone of a (pretraining) checkpoint as a file the next stage loads.

    The output ``{'state_dict': ..., 'meta': ...}`` has bare backbone keys: use it as
    ``backbone.init_cfg=dict(type='Pretrained', checkpoint=ckpt_out)`` in a segmenter or classifier config (or
    write keys with ``add_prefix='backbone.'`` for ``load_from`` / ``init_cfg`` with ``prefix``).

    Args:
        ckpt_in: the checkpoint (any layout of the module docstring; path or URL).
        ckpt_out: the output file (its folder is created).
        source: ``'online'`` (default) or ``'target'`` network.
        add_prefix: prefix added to every key.
        backbone: optionally a backbone module or config to check the weights against (stem, shapes, missing
            keys): an error is raised before anything is written.

    Returns:
        the written state dict.
    """
    state = checkpoint_state_dict(load_checkpoint_file(ckpt_in))
    fmt = detect_format(state)
    weights = backbone_state_dict(state, source)
    if backbone is not None:
        if isinstance(backbone, dict):
            from densessl.registry import MODELS
            backbone = MODELS.build(backbone)
        load_backbone_weights(backbone, weights, logger='current')
    out = OrderedDict((add_prefix + k, v.detach().cpu().clone()) for k, v in weights.items())
    meta = dict(source_checkpoint=ckpt_in, source_layout=fmt, network=source, stem=stem_type(weights),
                prefix=add_prefix)
    out_dir = osp.dirname(osp.abspath(ckpt_out))
    os.makedirs(out_dir, exist_ok=True)
    tmp = ckpt_out + '.tmp'
    torch.save(dict(state_dict=out, meta=meta), tmp)
    os.replace(tmp, ckpt_out)
    print_log(f'wrote {len(out)} backbone tensors ({fmt} layout, {source} network, stem: {meta["stem"]}) '
              f'from {ckpt_in} to {ckpt_out}', logger='current')
    return out
