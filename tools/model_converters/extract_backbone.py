#!/usr/bin/env python
"""Turn a pretraining checkpoint into backbone weights the next stage loads.

    python tools/model_converters/extract_backbone.py IN.pth OUT.pth [--source online|target]
        [--add-prefix backbone.] [--check-config CONFIG [--backbone-key model.backbone]]

IN may be a densessl/mmpretrain pretraining checkpoint (PixPro, BYOL, MoCo v2), an mmseg/mmpretrain task model,
an official PixPro release or a torchvision ImageNet file, as a local path or URL. OUT holds the backbone with bare
keys: use it as ``model.backbone.init_cfg=dict(type='Pretrained', checkpoint=OUT)``. With ``--check-config`` the
backbone of that config is built and loaded first: a stem mismatch (plain ``ResNet`` vs ``ResNetV1c``), wrong
shapes or missing keys stop the tool before anything is written, and the missing/unexpected keys are printed.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Extract backbone weights from a checkpoint')
    parser.add_argument('ckpt_in', help='checkpoint path or URL')
    parser.add_argument('ckpt_out', help='output file')
    parser.add_argument('--source', choices=['online', 'target'], default='online',
                        help='which network of a self-supervised checkpoint (default: online)')
    parser.add_argument('--add-prefix', default='', help="prefix for every key, e.g. 'backbone.'")
    parser.add_argument('--check-config', help='config whose backbone must load the weights')
    parser.add_argument('--backbone-key', default='model.backbone',
                        help='where the backbone sits in --check-config (default: model.backbone)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from densessl.apis import extract_backbone
    backbone = None
    if args.check_config:
        from mmengine.config import Config
        from densessl.utils import register_all_modules
        register_all_modules()
        node = Config.fromfile(args.check_config)
        for part in args.backbone_key.split('.'):
            if part not in node:
                raise KeyError(f'{args.backbone_key!r} not found in {args.check_config}')
            node = node[part]
        backbone = node.to_dict() if hasattr(node, 'to_dict') else dict(node)
        backbone.pop('init_cfg', None)
    extract_backbone(args.ckpt_in, args.ckpt_out, source=args.source, add_prefix=args.add_prefix,
                     backbone=backbone)
    return 0


if __name__ == '__main__':
    sys.exit(main())
