#!/usr/bin/env python
"""Convert an official PixPro checkpoint (zdaxie/PixPro) into backbone weights for mmseg / densessl.

    python tools/model_converters/pixpro2mmseg.py IN.pth OUT.pth [--source online|target]
        [--check-config CONFIG [--backbone-key model.segmentor.backbone]] [--trust]

IN is either file PixPro writes:

- the raw training checkpoint of ``main_pretrain.py`` (``ckpt_epoch_*.pth`` / ``current.pth``):
  ``{'opt': argparse.Namespace, 'model': ..., 'optimizer': ..., 'scheduler': ..., 'epoch': int}``;
- the release file of ``publish_model.py`` (the README's download links): the same dict without ``opt``,
  ``optimizer``, ``scheduler``, ``epoch`` and ``amp``.

In both, ``model`` is the ``DistributedDataParallel`` state dict: ``module.encoder.*`` (online backbone),
``module.encoder_k.*`` (momentum backbone), ``module.projector*``, ``module.value_transform.*``. The backbone keys
are torchvision's (``conv1``, ``bn1``, ``layer1.0.conv1``, ``layer1.0.downsample.0`` ...), which is mmseg's plain
``ResNet`` layout; a deep-stem PixPro encoder (``resnet50_d``: ``conv1.0.0`` ...) is renamed to mmseg's ``stem.*``
(``ResNetV1d``). Data flow::

    IN.pth --torch.load (weights only; argparse.Namespace allowed)--> state['model']
        --module.encoder[_k].*--> backbone keys --(deep stem: conv1.i.j -> stem.k)--> bare keys
        --> depth / stem inferred --> built mmseg backbone loads them (no missing key, no shape mismatch)
        --> OUT.pth  {'state_dict': bare keys, 'meta': {...}}   (written atomically)

Use OUT as ``backbone.init_cfg=dict(type='Pretrained', checkpoint=OUT)``: the Table II configs read it from
``checkpoints/pixpro_base_r50_400ep_backbone.pth``.
"""
import argparse
import os
import os.path as osp
import re
import sys
from collections import OrderedDict
from typing import Dict, Optional, Tuple

import torch

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

__all__ = ['load_pixpro_checkpoint', 'pixpro_backbone_state_dict', 'infer_resnet', 'convert_pixpro', 'main']

#: prefixes of the online / momentum encoder in PixPro's (DDP) state dict
ENCODER_PREFIXES = {'online': ('module.encoder.', 'encoder.'), 'target': ('module.encoder_k.', 'encoder_k.')}
#: (block, blocks per stage) -> ResNet depth
RESNET_DEPTHS = {
    ('basic', (2, 2, 2, 2)): 18,
    ('basic', (3, 4, 6, 3)): 34,
    ('bottleneck', (3, 4, 6, 3)): 50,
    ('bottleneck', (3, 4, 23, 3)): 101,
    ('bottleneck', (3, 8, 36, 3)): 152,
}
#: PixPro's deep stem (conv3x3_bn_relu x 2 + conv3x3, then bn1) -> mmseg ResNetV1c/V1d ``stem`` Sequential
DEEP_STEM = {'conv1.0.0.': 'stem.0.', 'conv1.0.1.': 'stem.1.', 'conv1.1.0.': 'stem.3.', 'conv1.1.1.': 'stem.4.',
             'conv1.2.': 'stem.6.', 'bn1.': 'stem.7.'}
_BACKBONE_KEY = re.compile(r'^(conv1\.|bn1\.|layer[1-4]\.)')


def load_pixpro_checkpoint(path: str, trust: bool = False) -> dict:
    """Read a PixPro checkpoint on the CPU.

    The raw training checkpoint stores the run's ``argparse.Namespace`` (``opt``); it is allowed explicitly, so the
    file is read with ``weights_only=True`` and nothing else can be unpickled. ``trust=True`` reads any pickle
    (only for files you trust).

    Raises:
        FileNotFoundError: no such file.
        RuntimeError: the file is not a readable PyTorch checkpoint (the message names it and the cause).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'PixPro checkpoint not found: {path} (download it from the zdaxie/PixPro README or '
                                'give a main_pretrain.py checkpoint)')
    try:
        if trust:
            ckpt = torch.load(path, map_location='cpu', weights_only=False)
        else:
            with torch.serialization.safe_globals([argparse.Namespace]):
                ckpt = torch.load(path, map_location='cpu', weights_only=True)
    except Exception as err:  # truncated zip, not a checkpoint, a disallowed global
        hint = '' if trust else ' (if it holds other Python objects and you trust it, pass --trust)'
        raise RuntimeError(f'cannot read PixPro checkpoint {path}: {type(err).__name__}: {err}{hint}') from err
    if not isinstance(ckpt, dict):
        raise RuntimeError(f'cannot read PixPro checkpoint {path}: expected a dict, got {type(ckpt).__name__}')
    return ckpt


def pixpro_backbone_state_dict(ckpt: dict, source: str = 'online', name: str = 'the checkpoint'
                               ) -> Tuple[Dict[str, torch.Tensor], list]:
    """The encoder's backbone weights of a PixPro checkpoint with bare torchvision keys.

    Args:
        ckpt (dict): the loaded checkpoint (``{'model': state dict, ...}``) or its state dict.
        source (str): ``'online'`` (``encoder``, the trained network) or ``'target'`` (``encoder_k``).
        name (str): how error messages name the file.

    Returns:
        tuple[dict, list]: the backbone state dict, and the encoder keys that are not backbone keys (an MLP head of
        a ``head_type`` other than ``early_return``), which are dropped.

    Raises:
        ValueError: ``source`` unknown, or no key of that encoder (not a PixPro checkpoint).

    Examples:
        >>> sd = {'module.encoder.conv1.weight': torch.zeros(1), 'module.encoder_k.conv1.weight': torch.ones(1),
        ...       'module.projector.linear1.weight': torch.zeros(1)}
        >>> w, dropped = pixpro_backbone_state_dict({'model': sd}, 'target')
        >>> list(w), float(w['conv1.weight']), dropped
        (['conv1.weight'], 1.0, [])
    """
    if source not in ENCODER_PREFIXES:
        raise ValueError(f"source must be 'online' or 'target', got {source!r}")
    state = ckpt.get('model', ckpt) if isinstance(ckpt, dict) else None
    if not isinstance(state, dict):
        raise ValueError(f'{name}: no state dict under "model"')
    for prefix in ENCODER_PREFIXES[source]:
        picked = OrderedDict((k[len(prefix):], v) for k, v in state.items()
                             if k.startswith(prefix) and isinstance(v, torch.Tensor))
        if picked:
            break
    else:
        sample = sorted(state)[:8]
        raise ValueError(f'{name} is not a PixPro checkpoint: no key starts with '
                         f'{" or ".join(ENCODER_PREFIXES[source])} (keys: {sample}{" ..." if len(state) > 8 else ""}); '
                         'use tools/model_converters/extract_backbone.py for other layouts')
    dropped = [k for k in picked if not _BACKBONE_KEY.match(k)]
    return OrderedDict((k, v) for k, v in picked.items() if k not in dropped), dropped


def infer_resnet(state: Dict[str, torch.Tensor]) -> dict:
    """Which mmseg ResNet the (torchvision-layout) backbone weights are: depth, stem and downsampling.

    Returns:
        dict: ``depth``, ``deep_stem`` (bool), ``avg_down`` (bool) and ``type`` (``'ResNet'``, ``'ResNetV1c'``,
        ``'ResNetV1d'``).

    Raises:
        ValueError: the stage sizes are not those of ResNet-18/34/50/101/152.

    Examples:
        >>> keys = [f'layer{s}.{b}.conv1.weight' for s, n in zip((1, 2, 3, 4), (2, 2, 2, 2)) for b in range(n)]
        >>> infer_resnet(dict.fromkeys(keys + ['conv1.weight'], torch.zeros(1)))['depth']
        18
    """
    counts = tuple(len({int(m.group(1)) for k in state for m in [re.match(rf'layer{s}\.(\d+)\.', k)] if m})
                   for s in (1, 2, 3, 4))
    block = 'bottleneck' if any(k.endswith('.conv3.weight') for k in state) else 'basic'
    if (block, counts) not in RESNET_DEPTHS:
        raise ValueError(f'the encoder has {block} blocks with {counts} blocks per stage: not ResNet-18/34/50/101/152')
    deep_stem = any(k.startswith('conv1.0.') for k in state)
    # avg_down: downsample = (AvgPool, conv, BN) -> the conv is downsample.1 (plain: downsample.0)
    avg_down = any(re.match(r'layer\d\.0\.downsample\.1\.weight$', k) and state[k].dim() == 4 for k in state)
    rtype = 'ResNetV1d' if deep_stem and avg_down else 'ResNetV1c' if deep_stem else 'ResNet'
    if avg_down and not deep_stem:
        raise ValueError('the encoder averages before downsampling but has the plain stem; mmseg has no such ResNet')
    return dict(depth=RESNET_DEPTHS[(block, counts)], deep_stem=deep_stem, avg_down=avg_down, type=rtype)


def _rename_deep_stem(state: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    out = OrderedDict()
    for k, v in state.items():
        for old, new in DEEP_STEM.items():
            if k.startswith(old):
                k = new + k[len(old):]
                break
        out[k] = v
    return out


def convert_pixpro(ckpt_in: str, ckpt_out: str, source: str = 'online', backbone: Optional[dict] = None,
                   trust: bool = False) -> Dict[str, torch.Tensor]:
    """Convert a PixPro checkpoint into a backbone file and check that a backbone loads it.

    Args:
        ckpt_in (str): the PixPro checkpoint (raw training checkpoint or ``publish_model.py`` output).
        ckpt_out (str): the output file (its folder is created; written atomically).
        source (str): ``'online'`` (default) or ``'target'`` encoder.
        backbone (dict, optional): the backbone config that must load the weights (e.g. a segmenter's); by
            default mmseg's ResNet of the inferred depth and stem.
        trust (bool): read any pickle (see :func:`load_pixpro_checkpoint`).

    Returns:
        dict: the written backbone state dict.

    Raises:
        FileNotFoundError, RuntimeError, ValueError: unreadable or non-PixPro input (nothing is written);
        densessl.apis.StemMismatchError / KeyError / RuntimeError: the backbone does not load the weights (stem,
        missing keys, shapes); nothing is written.
    """
    from mmengine.logging import print_log

    from densessl.apis import load_backbone_weights
    from densessl.registry import MODELS
    from densessl.utils import register_all_modules

    ckpt = load_pixpro_checkpoint(ckpt_in, trust)
    weights, dropped = pixpro_backbone_state_dict(ckpt, source, ckpt_in)
    arch = infer_resnet(weights)
    if arch['deep_stem']:
        weights = _rename_deep_stem(weights)
    register_all_modules()
    bb_cfg = dict(backbone) if backbone is not None else dict(type=arch['type'], depth=arch['depth'])
    bb_cfg.pop('init_cfg', None)
    report = load_backbone_weights(MODELS.build(bb_cfg), weights, logger=None)
    opt = ckpt.get('opt')
    meta = dict(source_checkpoint=ckpt_in, source_layout='pixpro_official', network=source,
                epoch=ckpt.get('epoch'), pixpro_arch=getattr(opt, 'arch', None), backbone_type=bb_cfg['type'],
                depth=arch['depth'], stem='deep' if arch['deep_stem'] else 'plain', dropped_keys=dropped,
                unexpected_keys=list(report.unexpected))
    out = OrderedDict((k, v.detach().cpu().clone()) for k, v in weights.items())
    os.makedirs(osp.dirname(osp.abspath(ckpt_out)), exist_ok=True)
    tmp = ckpt_out + '.tmp'
    torch.save(dict(state_dict=out, meta=meta), tmp)
    os.replace(tmp, ckpt_out)
    print_log(f'wrote {len(out)} {source} encoder tensors of {ckpt_in} (ResNet-{arch["depth"]}, {meta["stem"]} stem, '
              f'epoch {meta["epoch"]}) to {ckpt_out}; {bb_cfg["type"]} loads them with no missing key'
              + (f'; dropped {len(dropped)} head keys' if dropped else ''), logger='current')
    return out


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Convert an official PixPro checkpoint into backbone weights')
    parser.add_argument('ckpt_in', help='PixPro checkpoint (main_pretrain.py or publish_model.py output)')
    parser.add_argument('ckpt_out', help='output file (bare backbone keys)')
    parser.add_argument('--source', choices=['online', 'target'], default='online',
                        help='encoder (online, default) or encoder_k (momentum network)')
    parser.add_argument('--check-config', help='config whose backbone must load the weights')
    parser.add_argument('--backbone-key', default='model.backbone',
                        help='where the backbone sits in --check-config (default: model.backbone)')
    parser.add_argument('--trust', action='store_true', help='unpickle any object (only for files you trust)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    backbone = None
    if args.check_config:
        from mmengine.config import Config
        node = Config.fromfile(args.check_config)
        for part in args.backbone_key.split('.'):
            if part not in node:
                raise KeyError(f'{args.backbone_key!r} not found in {args.check_config}')
            node = node[part]
        backbone = node.to_dict() if hasattr(node, 'to_dict') else dict(node)
    convert_pixpro(args.ckpt_in, args.ckpt_out, args.source, backbone, args.trust)
    return 0


if __name__ == '__main__':
    sys.exit(main())
