#!/usr/bin/env python
"""Diagnose a semi-supervised segmenter's unlabeled branch against the ground truth of the "unlabeled" scenes.

The demo's unlabeled training scenes have masks (only the split hides them), so the pseudo-labels and the
student's predictions on every view of the unlabeled branch can be scored. For a checkpoint (plain or semi) loaded
into student and teacher, over ``--batches`` training batches of the config's real pipeline::

    python tools/experiments/seg_mix_diagnostics.py configs/cutmix/cutmix_r18-d16_1xb16-1k_demo-5pct-96x96.py \
        work_dirs/seg_demo_ssl/5pct-source/supervised_seed0/iter_1000.pth --batches 6

prints pixel accuracy (and accuracy on foreground pixels) of: the teacher's pseudo-labels on the weak view,
the same mixed with the batch's mask (mixing consistency: equal to the unmixed figure when images and targets
are mixed alike), and the student on the weak, strong, mixed-weak and mixed-strong views, plus the share of
pixels whose teacher confidence reaches ``--threshold``. A large drop from "weak" to "mixed weak" means the
mixed images are out of distribution for the network.

``--bn-check N`` also tests the teacher on the validation scenes twice: with its batch-norm running statistics as
trained, then with statistics recomputed on ``N`` batches of clean training crops (labeled + weak unlabeled views).
A large gain means the running statistics were trained on images unlike the test images (e.g. strong or mixed
views averaged into them: ``semi_train_cfg.unsup_bn_stats='update'``).
"""
import argparse
import os.path as osp
import sys

import torch

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('config', help='a semi-supervised segmentation config (CutMix, ClassMix, FixMatch, UniMatch)')
    p.add_argument('checkpoint', help='checkpoint loaded into student and teacher')
    p.add_argument('--batches', type=int, default=6)
    p.add_argument('--threshold', type=float, default=None, help="default: the config's confidence threshold")
    p.add_argument('--sweep', type=float, nargs='*', default=[], metavar='TAU',
                   help='also print, per class, the share of its pixels passing and the precision of the '
                        'pseudo-labels passing at each of these thresholds')
    p.add_argument('--work-dir', default='/tmp/densessl_seg_mix_diagnostics')
    p.add_argument('--bn-check', type=int, default=0, metavar='N',
                   help='test the teacher before and after recomputing its BN statistics on N clean batches')
    return p.parse_args(argv)


def _acc(pred, gt, where=None):
    if where is not None:
        pred, gt = pred[where], gt[where]
    return (pred == gt).float().mean().item() if gt.numel() else float('nan')


def main(argv=None):
    args = parse_args(argv)
    from mmengine.config import Config
    from mmengine.runner import Runner

    from densessl.models.ssl.mixing import mix_batch, partner_permutation
    from densessl.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(args.config)
    unlabeled = cfg.train_dataloader.dataset.datasets[1]
    unlabeled.with_label = True  # read the masks the split hides, through the same geometric transforms
    unlabeled.data_prefix = dict(unlabeled.data_prefix, seg_map_path='SegmentationClass')
    unlabeled.pipeline.insert(1, dict(type='LoadCheckedAnnotations'))
    cfg.train_dataloader.num_workers, cfg.train_dataloader.persistent_workers = 0, False
    cfg.load_from, cfg.work_dir = args.checkpoint, args.work_dir
    runner = Runner.from_cfg(cfg)
    runner.load_or_resume()
    model = runner.model
    model.train()
    cfg_semi = model.semi_train_cfg
    threshold = args.threshold if args.threshold is not None else model.confidence_mask.threshold
    num_classes = model.student.decode_head.num_classes
    per_class = torch.zeros(5, num_classes)  # pixels, labelled right, confident, confident right, predicted confident
    rows, batches, kept = [], iter(runner.train_dataloader), []
    for _ in range(args.batches):
        data = model.data_preprocessor(next(batches), True)
        weak = data['inputs'][cfg_semi['weak_branch']]
        strong = data['inputs'][cfg_semi['strong_branches'][0]]
        gt = torch.stack([s.gt_sem_seg.data[0] for s in data['data_samples'][cfg_semi['weak_branch']]]).long()
        with torch.no_grad():
            # the pseudo-labels as training makes them (EMA teacher or the model itself, per the config)
            pl = model.get_pseudo_labels(weak, torch.ones_like(gt, dtype=torch.bool))
            labels, conf = pl['labels'], pl['confidence']
            per_class += class_counts(labels, conf >= threshold, gt, num_classes)
            kept.append((labels, conf, gt))
            mask = model.mixer(labels) if model.mixer is not None else torch.ones_like(conf, dtype=torch.bool)
            perm = partner_permutation(gt.shape[0], cfg_semi['partner'], gt.device)
            mixed_pl, mixed_gt = mix_batch(mask, labels, perm), mix_batch(mask, gt, perm)
            views = dict(weak=(weak, gt), strong=(strong, gt), mixed_weak=(mix_batch(mask, weak, perm), mixed_gt),
                         mixed_strong=(mix_batch(mask, strong, perm), mixed_gt))
            row = dict(pseudo_label=(_acc(labels, gt), _acc(labels, gt, gt > 0)),
                       mixed_pseudo_label=(_acc(mixed_pl, mixed_gt), _acc(mixed_pl, mixed_gt, mixed_gt > 0)))
            for name, (x, y) in views.items():
                pred = model._logits(model.student, x).argmax(1)
                row['student_' + name] = (_acc(pred, y), _acc(pred, y, y > 0))
            row['confident_share'] = ((conf >= threshold).float().mean().item(), float('nan'))
            row['foreground_share'] = ((gt > 0).float().mean().item(), float('nan'))
        rows.append(row)
    print(f'{args.batches} batches of {args.config}, checkpoint {args.checkpoint}, '
          f"pseudo-labels from the {cfg_semi['pseudo_label_from']}, threshold {threshold}")
    print(f'{"":24s} {"pixel acc":>10s} {"fg acc":>10s}')
    for key in rows[0]:
        acc = sum(r[key][0] for r in rows) / len(rows)
        fg = sum(r[key][1] for r in rows) / len(rows)
        print(f'{key:24s} {100 * acc:10.1f} {100 * fg:10.1f}')
    classes = runner.train_dataloader.dataset.metainfo.get('classes')
    print_class_table(per_class, classes)
    for tau in args.sweep:
        counts = sum(class_counts(labels, conf >= tau, gt, num_classes) for labels, conf, gt in kept)
        print(f'threshold {tau}:')
        print_class_table(counts, classes)
    if args.bn_check:
        bn_check(runner, args.bn_check)


def class_counts(labels, confident, gt, num_classes):
    """``(5, C)`` pixel counts per ground-truth class: pixels, pseudo-label right, confident, confident and right,
    and (per predicted class) confident pseudo-labels."""
    out = torch.zeros(5, num_classes)
    for c in range(num_classes):
        is_c = gt == c
        out[0, c] = is_c.sum()
        out[1, c] = (is_c & (labels == c)).sum()
        out[2, c] = (is_c & confident).sum()
        out[3, c] = (is_c & confident & (labels == c)).sum()
        out[4, c] = (confident & (labels == c)).sum()
    return out


def print_class_table(counts, classes=None):
    """Per ground-truth class: its share of the pixels, pseudo-label recall, the share that passes the threshold,
    the share that passes and is right, the precision of confident pseudo-labels of that class and the class's
    share of all confident (trained-on) pixels."""
    pixels, right, conf, conf_right, predicted = counts
    pct = lambda a, b: 100 * a / b.clamp(min=1)  # noqa: E731
    print(f'{"class":14s} {"pixels %":>9s} {"PL recall":>10s} {"confident":>10s} {"conf+right":>11s} '
          f'{"precision":>10s} {"of trained":>11s}')
    for c in range(counts.shape[1]):
        name = classes[c] if classes and c < len(classes) else str(c)
        print(f'{name:14s} {pct(pixels[c], pixels.sum()):9.1f} {pct(right[c], pixels[c]):10.1f} '
              f'{pct(conf[c], pixels[c]):10.1f} {pct(conf_right[c], pixels[c]):11.1f} '
              f'{pct(conf_right[c], predicted[c]):10.1f} {pct(predicted[c], predicted.sum()):11.1f}')


def _summary(metrics):
    return ', '.join(f'{k} {float(v):.2f}' for k, v in metrics.items() if k in ('aAcc', 'mIoU', 'mAcc', 'mDice'))


def bn_check(runner, n_batches: int) -> None:
    """Test the teacher, recompute its BN running statistics on ``n_batches`` clean training batches (cumulative
    average, labeled + weak unlabeled views), test again; prints both."""
    from torch.nn.modules.batchnorm import _BatchNorm
    model = runner.model
    model.semi_test_cfg['predict_on'] = 'teacher'
    print(f'teacher, BN statistics as trained:    {_summary(runner.test())}', flush=True)
    teacher = model.teacher
    layers = [m for m in teacher.modules() if isinstance(m, _BatchNorm)]
    for m in layers:
        m.reset_running_stats()
        m.momentum = None
    teacher.train()
    batches = iter(runner.train_dataloader)
    with torch.no_grad():
        for _ in range(n_batches):
            data = model.data_preprocessor(next(batches), True)
            teacher._forward(torch.cat([data['inputs']['sup'], data['inputs']['unsup_teacher']]))
    teacher.eval()
    print(f'teacher, BN statistics recomputed on {n_batches} clean batches: {_summary(runner.test())}', flush=True)


if __name__ == '__main__':
    main()
