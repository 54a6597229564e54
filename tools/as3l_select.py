#!/usr/bin/env python
"""AS3L preparation: choose the samples to label and the prior pseudo-labels of the others from the features of a
target-pretrained backbone (e.g. BYOL).

    python tools/as3l_select.py PRETRAIN_CONFIG CHECKPOINT --budget 40 --num-classes 10 \
        --out-dir data/splits/fashion_mnist/as3l-40labels [--ks 10 20 30 40 50 60] [--runs 5] [--seed 0] \
        [--no-finetune]

Reads the training set of PRETRAIN_CONFIG (its ``train_dataloader.dataset``, without augmentation), extracts the
globally pooled last-stage features of the checkpoint's backbone, runs
:func:`densessl.selection.as3l.select_and_propagate` (feature fine-tuning, selection, propagation; 6 clusterings,
``K = C, 2C, ..., 6C`` unless ``--ks`` is given)
and writes ``labeled.txt`` / ``unlabeled.txt`` (sample indices, the split format of the classification configs),
``prior.npy`` (``(N_unlabeled, C)``, rows in ``unlabeled.txt`` order) and ``as3l_summary.json``.
"""
import argparse
import json
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # run from a checkout without installing

import numpy as np  # noqa: E402
import torch  # noqa: E402
from mmengine.config import Config  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='AS3L: active selection and prior pseudo-labels')
    parser.add_argument('config', help='the pretraining config (its backbone and training set are used)')
    parser.add_argument('checkpoint', help='the pretraining checkpoint (or an extracted backbone file)')
    parser.add_argument('--budget', type=int, required=True, help='number of samples to label')
    parser.add_argument('--num-classes', type=int, default=10)
    parser.add_argument('--out-dir', required=True, help='where labeled.txt, unlabeled.txt and prior.npy go')
    parser.add_argument('--ks', type=int, nargs='+', default=None,
                        help='numbers of clusters of the fine-tuning and the label propagation (default: AS3L\'s 6 '
                        'clusterings, K = C, 2C, ..., 6C for C classes)')
    parser.add_argument('--no-finetune', action='store_true',
                        help='skip AS3L\'s feature fine-tuning (a linear layer fitted to the clusterings\' centres)')
    parser.add_argument('--runs', type=int, default=5, help='k-means runs of the consistency check')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--batch-size', type=int, default=256)
    parser.add_argument('--limit', type=int, default=None, help='use only the first N training samples')
    return parser.parse_args(argv)


def _backbone_cfg(cfg: Config) -> dict:
    model = cfg.model
    if 'backbone' in model:
        return dict(model.backbone)
    if 'classifier' in model and 'backbone' in model.classifier:
        return dict(model.classifier.backbone)
    raise KeyError(f'{cfg.filename}: no model.backbone or model.classifier.backbone')


@torch.no_grad()
def extract_features(cfg: Config, checkpoint: str, batch_size: int = 256, limit=None):
    """Pooled backbone features ``(N, D)`` and labels ``(N,)`` of the config's training set."""
    from mmengine.dataset import pseudo_collate
    from mmpretrain.models import ClsDataPreprocessor

    from densessl.apis import backbone_state_dict, checkpoint_state_dict, load_backbone_weights, load_checkpoint_file
    from densessl.registry import DATASETS, MODELS

    bb_cfg = _backbone_cfg(cfg)
    bb_cfg.pop('init_cfg', None)
    backbone = MODELS.build(bb_cfg)
    load_backbone_weights(backbone, backbone_state_dict(checkpoint_state_dict(load_checkpoint_file(checkpoint))),
                          logger='current')
    backbone.eval()
    pre_cfg = cfg.model.get('data_preprocessor') or cfg.model.classifier.data_preprocessor
    preprocessor = ClsDataPreprocessor(mean=pre_cfg.get('mean'), std=pre_cfg.get('std'),
                                       to_rgb=pre_cfg.get('to_rgb', False))
    ds_cfg = dict(cfg.train_dataloader.dataset)
    if ds_cfg.get('type') == 'ConcatDataset':
        raise ValueError('give a pretraining config whose train_dataloader.dataset is one dataset (all images)')
    in_ch = bb_cfg.get('in_channels', 3)
    ds_cfg['pipeline'] = ([dict(type='GrayToRGB')] if in_ch == 3 else []) + [dict(type='mmpretrain.PackInputs')]
    if limit is not None:
        ds_cfg['indices'] = limit
    dataset = DATASETS.build(ds_cfg)
    feats, labels = [], []
    for start in range(0, len(dataset), batch_size):
        batch = pseudo_collate([dataset[i] for i in range(start, min(start + batch_size, len(dataset)))])
        data = preprocessor(batch, False)
        out = backbone(data['inputs'])[-1]
        feats.append(out.mean(dim=(2, 3)) if out.dim() == 4 else out)
        labels.extend(int(s.gt_label) for s in data['data_samples'])
    return torch.cat(feats), torch.as_tensor(labels)


def main(argv=None) -> dict:
    args = parse_args(argv)
    from densessl.selection.as3l import default_ks, select_and_propagate
    from densessl.datasets.splits import write_index_split
    from densessl.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(args.config)
    feats, labels = extract_features(cfg, args.checkpoint, args.batch_size, args.limit)
    out = select_and_propagate(feats, labels, args.budget, args.num_classes, args.ks, args.runs, args.seed,
                               finetune=not args.no_finetune)
    os.makedirs(args.out_dir, exist_ok=True)
    write_index_split(args.out_dir, out['labeled'], out['unlabeled'])
    np.save(osp.join(args.out_dir, 'prior.npy'), out['prior'].numpy())
    selected = labels[torch.as_tensor(out['labeled'])]
    summary = dict(config=args.config, checkpoint=args.checkpoint, budget=args.budget,
                   ks=list(args.ks or default_ks(args.num_classes)), runs=args.runs,
                   seed=args.seed, num_samples=len(labels), num_labeled=len(out['labeled']),
                   labels_per_class=torch.bincount(selected, minlength=args.num_classes).tolist(),
                   prior_accuracy=out['prior_accuracy'], prior_coverage=out['prior_coverage'],
                   finetune=not args.no_finetune)
    with open(osp.join(args.out_dir, 'as3l_summary.json'), 'w') as f:
        json.dump(summary, f, indent=2)
    print(json.dumps(summary))
    return summary


if __name__ == '__main__':
    main()
