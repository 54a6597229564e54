#!/usr/bin/env python
"""Cost of a semi-supervised segmentation step (CutMix / ClassMix mean teacher, FixMatch, UniMatch) against its
parts run alone.

    python tools/benchmarks/semi_seg_step.py [--method cutmix|classmix|fixmatch|unimatch]
        [--backbone resnet18|resnet50] [--size 128] [--batch 2] [--iters 5] [--threads N]

One run, one batch (``--batch`` labeled + ``--batch`` unlabeled images of ``--size`` px, preprocessed once), one
DeepLabV3+ (mmseg ``EncoderDecoder``, plain-stem ResNet at output stride 16), on whatever device torch picks.

- **Time.** The SSL step is ``SemiBaseSegmentor.loss`` (teacher forward on the weak view, pseudo-labels, mixing
  masks, mixing, student forward on the labeled and the mixed strong images, losses) + backward + Adam update +
  EMA update of the teacher. The reference is the same networks run alone on the same tensors: the teacher's
  forward on the weak view, and the student's forward / backward / Adam update on the labeled images (its own
  supervised loss) and on the strong images (a cross-entropy against fixed labels). FixMatch and UniMatch have no
  teacher: their reference is the student's forward without gradient on the weak view; UniMatch's adds the
  perturbed stream (encoder on the weak view, channel dropout, decoder, backward) and one forward / backward over
  both strong views, and its SSL step has no EMA update. ``--iters`` steps of each after
  one warm-up, the two taking turns (alternating which goes first); the ratio is the median of the per-iteration
  ratios (each SSL step against the reference step next to it in time, robust to the load of a shared machine),
  also given from the fastest steps. Target: ratio <= 1.10.
- **Peak memory.** An SSL step against a supervised step (the student alone on the labeled images): on a GPU
  ``torch.cuda.max_memory_allocated`` around one step; on a CPU the peak resident set size of a fresh process
  during one step (the kernel's peak mark ``VmHWM``, reset just before the step through ``/proc/self/clear_refs``),
  and its increase over the resident size before the step; each kind of step runs in its own subprocess, after one
  warm-up step of its kind (gradients and the optimiser state exist before the measured step in both).
"""
import argparse
import json
import os.path as osp
import resource
import statistics
import subprocess
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


SEMI_TYPES = {'cutmix': 'CutMixSegmentor', 'classmix': 'ClassMixSegmentor', 'fixmatch': 'FixMatchSegmentor',
              'unimatch': 'UniMatchSegmentor'}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--method', default='cutmix', choices=list(SEMI_TYPES))
    parser.add_argument('--backbone', default='resnet18', choices=['resnet18', 'resnet50'])
    parser.add_argument('--size', type=int, default=128, help='crop size in pixels (paper: 321 VOC)')
    parser.add_argument('--batch', type=int, default=2, help='labeled images per batch (as many unlabeled)')
    parser.add_argument('--iters', type=int, default=5, help='timed steps (after one warm-up)')
    parser.add_argument('--threads', type=int, default=None, help='torch threads (default: torch default)')
    parser.add_argument('--memory-probe', choices=['ssl', 'sup'], help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def segmentor_cfg(backbone: str, num_classes: int = 21) -> dict:
    depth = int(backbone.replace('resnet', ''))
    wide = depth >= 50
    norm_cfg = dict(type='BN', requires_grad=True)
    return dict(
        type='EncoderDecoder',
        data_preprocessor=dict(type='SegDataPreProcessor', mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375],
                               bgr_to_rgb=True, pad_val=0, seg_pad_val=255),
        backbone=dict(type='ResNet', depth=depth, num_stages=4, out_indices=(0, 1, 2, 3), dilations=(1, 1, 1, 2),
                      strides=(1, 2, 2, 1), norm_cfg=norm_cfg, norm_eval=False, style='pytorch',
                      contract_dilation=False),
        decode_head=dict(type='DepthwiseSeparableASPPHead', in_channels=2048 if wide else 512, in_index=3,
                         channels=512 if wide else 128, dilations=(1, 6, 12, 18), c1_in_channels=256 if wide else 64,
                         c1_channels=48 if wide else 32, dropout_ratio=0.1, num_classes=num_classes,
                         norm_cfg=norm_cfg, align_corners=False,
                         loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
        train_cfg=dict(),
        test_cfg=dict(mode='whole'))


def build_semi(args):
    from densessl.registry import MODELS
    model = MODELS.build(dict(type=SEMI_TYPES[args.method], segmentor=segmentor_cfg(args.backbone),
                              semi_train_cfg=dict(seed=0)))
    return model


def make_batch(model, batch: int, size: int, num_classes: int = 21):
    """A preprocessed multi-branch batch: labeled images with masks, unlabeled images (weak / strong views)."""
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample
    g = torch.Generator().manual_seed(0)

    def img():
        return torch.randint(0, 256, (3, size, size), dtype=torch.uint8, generator=g)

    def sample(labeled):
        s = SegDataSample(metainfo=dict(img_shape=(size, size), ori_shape=(size, size)))
        if labeled:
            s.gt_sem_seg = PixelData(data=torch.randint(0, num_classes, (1, size, size), generator=g))
        return s

    none = [None] * batch
    weak = [img() for _ in range(batch)]
    raw = {'inputs': {'sup': [img() for _ in range(batch)] + none, 'unsup_teacher': none + weak},
           'data_samples': {'sup': [sample(True) for _ in range(batch)] + none,
                            'unsup_teacher': none + [sample(False) for _ in range(batch)]}}
    for k, branch in enumerate(model.semi_train_cfg['strong_branches']):
        raw['inputs'][branch] = none + [(w.float() * (0.8 - 0.1 * k) + 20).clamp(0, 255).to(torch.uint8) for w in weak]
        raw['data_samples'][branch] = none + [sample(False) for _ in range(batch)]
    model.data_preprocessor.data_preprocessor.size = (size, size)
    data = model.data_preprocessor(raw, training=True)
    return data['inputs'], data['data_samples']


def ssl_step(model, opt, inputs, samples):
    from densessl.engine.hooks.mean_teacher_hook import ema_update
    losses = model.loss(inputs, samples)
    loss, _ = model.parse_losses(losses)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    if model.uses_teacher():
        ema_update(model.teacher, model.student, 0.01)


def _ce(logits, labels):
    logits = F.interpolate(logits, size=labels.shape[-2:], mode='bilinear', align_corners=False)
    return F.cross_entropy(logits, labels.repeat(logits.shape[0] // labels.shape[0], 1, 1))


def parts_step(model, opt, inputs, samples, strong_labels):
    """The networks alone: the forward without gradient that makes the pseudo-labels (teacher, or the student for
    FixMatch / UniMatch), the student's forward / backward / update on the labeled and the strong images, and for
    UniMatch the perturbed stream on the weak view."""
    cfg = model.semi_train_cfg
    weak = inputs['unsup_teacher']
    with torch.no_grad():
        (model.teacher if cfg['pseudo_label_from'] == 'teacher' else model.student)._forward(weak)
    losses = model.student.loss(inputs['sup'], samples['sup'])
    loss = sum(v for k, v in losses.items() if 'loss' in k)
    strong = torch.cat([inputs[b] for b in cfg['strong_branches']])
    loss = loss + _ce(model.student._forward(strong), strong_labels)
    if model.feature_perturbation is not None:
        feats = model.feature_perturbation(model.student.extract_feat(weak))
        loss = loss + _ce(model.student.decode_head.forward(feats), strong_labels)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


def sup_step(model, opt, inputs, samples):
    losses = model.student.loss(inputs['sup'], samples['sup'])
    loss = sum(v for k, v in losses.items() if 'loss' in k)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


def _sync(device):
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def _rss_kib() -> int:
    with open('/proc/self/statm') as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() // 1024


def _reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark (VmHWM) to the current RSS (Linux >= 4.0); False when not possible."""
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
        return True
    except OSError:
        return False


def _peak_rss_kib() -> int:
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _setup(args):
    from densessl.utils import register_all_modules
    if args.threads:
        torch.set_num_threads(args.threads)
    register_all_modules()
    torch.manual_seed(0)
    device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    model = build_semi(args).to(device)
    model.train()
    inputs, samples = make_batch(model, args.batch, args.size)
    opt = torch.optim.Adam([p for p in model.student.parameters() if p.requires_grad], lr=1e-5)
    return device, model, inputs, samples, opt


def memory_probe(args) -> dict:
    """One step in this (fresh) process: peak memory of the step (KiB on CPU, bytes on GPU)."""
    device, model, inputs, samples, opt = _setup(args)
    step = (lambda: ssl_step(model, opt, inputs, samples)) if args.memory_probe == 'ssl' else \
        (lambda: sup_step(model, opt, inputs, samples))
    step()  # warm-up: gradients and Adam's state are allocated once, by the first step of either kind
    if device.type == 'cuda':
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        before = torch.cuda.memory_allocated()
        step()
        torch.cuda.synchronize()
        return dict(unit='bytes', before=before, peak=torch.cuda.max_memory_allocated())
    reset = _reset_peak_rss()  # otherwise the peak of imports / model building could mask the step's
    before = _rss_kib()
    step()
    return dict(unit='KiB', before=before, peak=_peak_rss_kib(), peak_reset=reset)


def _probe_in_subprocess(args, kind: str) -> dict:
    cmd = [sys.executable, osp.abspath(__file__), '--method', args.method, '--backbone', args.backbone, '--size',
           str(args.size), '--batch', str(args.batch), '--memory-probe', kind]
    if args.threads:
        cmd += ['--threads', str(args.threads)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv=None):
    args = parse_args(argv)
    if args.memory_probe:
        print(json.dumps(memory_probe(args)))
        return None
    device, model, inputs, samples, opt = _setup(args)
    n, size = args.batch, args.size
    print(f'{args.method}, DeepLabV3+ {args.backbone} OS16, {n} labeled + {n} unlabeled images of '
          f'{size}x{size}, {device.type}, {torch.get_num_threads()} threads, median of {args.iters} steps', flush=True)
    strong_labels = torch.randint(0, 21, (n, size, size), device=device)

    def run_ssl():
        ssl_step(model, opt, inputs, samples)

    def run_parts():
        parts_step(model, opt, inputs, samples, strong_labels)

    times = {'ssl': [], 'parts': []}
    run_ssl()  # warm-up
    run_parts()
    for i in range(args.iters):
        order = (('ssl', run_ssl), ('parts', run_parts)) if i % 2 == 0 else (('parts', run_parts), ('ssl', run_ssl))
        for name, fn in order:
            _sync(device)
            start = time.perf_counter()
            fn()
            _sync(device)
            times[name].append(time.perf_counter() - start)
    t_ssl, t_parts = statistics.median(times['ssl']), statistics.median(times['parts'])
    # each SSL step against the reference step next to it in time: robust to slow load changes on a shared machine
    ratio = statistics.median(a / b for a, b in zip(times['ssl'], times['parts']))
    ratio_min = min(times['ssl']) / min(times['parts'])
    print(f'SSL step (loss + backward + update [+ EMA]):              {t_ssl * 1e3:9.1f} ms (median; min '
          f'{min(times["ssl"]) * 1e3:.1f})')
    print(f'pseudo-label forward + student forward/backward/update:  {t_parts * 1e3:9.1f} ms (median; min '
          f'{min(times["parts"]) * 1e3:.1f})')
    print(f'time ratio SSL / parts alone: {ratio:6.3f} (median of paired steps; {ratio_min:.3f} from the minima) '
          '(target <= 1.10)', flush=True)

    mem_ssl, mem_sup = _probe_in_subprocess(args, 'ssl'), _probe_in_subprocess(args, 'sup')
    unit = mem_ssl['unit']
    scale = 1024.0 if unit == 'KiB' else 1024.0**2
    step_ssl, step_sup = mem_ssl['peak'] - mem_ssl['before'], mem_sup['peak'] - mem_sup['before']
    what = 'peak RSS' if unit == 'KiB' else 'max allocated'
    print(f'{what} of an SSL step:        {mem_ssl["peak"] / scale:9.1f} MiB (step: +{step_ssl / scale:.1f} MiB)')
    print(f'{what} of a supervised step:  {mem_sup["peak"] / scale:9.1f} MiB (step: +{step_sup / scale:.1f} MiB)')
    print(f'memory ratio SSL / supervised: {mem_ssl["peak"] / mem_sup["peak"]:9.3f} (peak), '
          f'{step_ssl / max(step_sup, 1):.3f} (step increase)')
    return dict(time_ssl=t_ssl, time_parts=t_parts, time_ratio=ratio, time_ratio_min=ratio_min, mem_ssl=mem_ssl,
                mem_sup=mem_sup, mem_ratio=mem_ssl['peak'] / mem_sup['peak'],
                step_mem_ratio=step_ssl / max(step_sup, 1))


if __name__ == '__main__':
    main()
