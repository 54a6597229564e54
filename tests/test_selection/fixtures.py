"""A tiny pool of images, its config and checkpoints of a tiny backbone, for the selection and tool tests."""
import os
import os.path as osp

import torch

from tests.helpers.tiny_seg import tiny_seg_config, write_tiny_seg_data

TINY_BACKBONE = dict(type='ResNet', depth=18, stem_channels=8, base_channels=8, num_stages=4, out_indices=(0, 1, 2, 3),
                     strides=(1, 2, 2, 1), dilations=(1, 1, 1, 2), norm_cfg=dict(type='BN', requires_grad=True),
                     contract_dilation=False)


def write_tiny_pool(root: str, n_train: int = 12) -> dict:
    """32 px images (a square and a disc on noise) with masks, a config whose training split is ``train.txt``, and
    checkpoints of a randomly initialised (seeded) tiny ResNet-18:

    - ``ckpt``: segmentor-style keys (``backbone.*``, ``decode_head.*``) and the config in ``meta.cfg``;
    - ``backbone``: bare backbone keys, no config (an extracted backbone file);
    - ``head``: no backbone key at all.
    """
    from mmengine.config import Config

    from densessl.registry import MODELS
    from densessl.selection.features import _densessl_scope

    write_tiny_seg_data(root, n_train=n_train, n_val=2)
    cfg = tiny_seg_config(root)
    config = osp.join(root, 'tiny_cfg.py')
    Config(cfg).dump(config)
    torch.manual_seed(0)
    with _densessl_scope():
        backbone = MODELS.build(dict(TINY_BACKBONE))
    state = {f'backbone.{k}': v for k, v in backbone.state_dict().items()}
    state['decode_head.conv_seg.weight'] = torch.zeros(3, 16, 1, 1)
    paths = dict(root=root, config=config, img_dir=osp.join(root, 'img'), split=osp.join(root, 'train.txt'),
                 ckpt=osp.join(root, 'tiny_iter_4.pth'), backbone=osp.join(root, 'backbone.pth'),
                 head=osp.join(root, 'head_only.pth'))
    torch.save(dict(state_dict=state, meta=dict(cfg=Config(cfg).pretty_text)), paths['ckpt'])
    torch.save(dict(state_dict=backbone.state_dict()), paths['backbone'])
    torch.save(dict(state_dict={'decode_head.conv_seg.weight': torch.zeros(3, 16, 1, 1),
                                'decode_head.conv_seg.bias': torch.zeros(3)}), paths['head'])
    paths['train_names'] = sorted(open(paths['split']).read().split())
    paths['all_names'] = sorted(f[:-4] for f in os.listdir(paths['img_dir']))
    paths['backbone_state'] = backbone.state_dict()
    return paths
