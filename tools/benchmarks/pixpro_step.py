#!/usr/bin/env python
"""PixPro step time vs mmpretrain BYOL step time, and the share of the affine augmentation + inverse warp.

    python tools/benchmarks/pixpro_step.py [--backbone resnet50] [--size 160] [--batch 4] [--iters 6]

Same batch (two views of B images), same backbone (mmseg ``ResNet``, the segmenter's), one training step each =
forward + backward + SGD update, the fastest of ``--iters`` timed steps (each after an untimed one; slower steps
waited for other processes), the models taking turns every round (fair on a shared machine), on whatever device
torch picks (CPU here). The affine share is measured inside the PixPro step: the forward calls of
``DifferentiableAffine.forward`` / ``.inverse`` are timed where they run, and the backward of the inverse warp of
the online map (the only warp gradients are taken through: the views and the target maps need none) is timed on
tensors of the same shapes. Target: <= 2 % of a PixPro step.
"""
import argparse
import os.path as osp
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import numpy as np  # noqa: E402
import torch  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--backbone', default='resnet50', choices=['resnet18', 'resnet34', 'resnet50', 'resnet101'])
    parser.add_argument('--size', type=int, default=160, help='view size in pixels (PixPro: 224)')
    parser.add_argument('--batch', type=int, default=4, help='images per batch (two views each)')
    parser.add_argument('--iters', type=int, default=6, help='timed steps per model (after one warm-up)')
    parser.add_argument('--threads', type=int, default=None,
                        help='torch threads (default: torch default; 1 is steadier on a loaded machine)')
    return parser.parse_args(argv)


def _models(depth: int):
    from densessl.registry import MODELS
    out_ch = 2048 if depth >= 50 else 512
    backbone = dict(type='ResNet', depth=depth, out_indices=(3, ), norm_cfg=dict(type='BN'))
    pre = dict(type='mmpretrain.SelfSupDataPreprocessor', mean=[0., 0., 0.], std=[1., 1., 1.])
    pixpro = MODELS.build(dict(
        type='PixPro', backbone=backbone, data_preprocessor=pre,
        neck=dict(type='PixProNeck', in_channels=out_ch, hid_channels=4096, out_channels=256),
        affine=dict(type='DifferentiableAffine', p=0.5), weight_reg=1e-2))
    from mmpretrain.models.selfsup import BYOL
    byol = BYOL(
        backbone=backbone, data_preprocessor=pre, base_momentum=0.01,
        neck=dict(type='mmpretrain.NonLinearNeck', in_channels=out_ch, hid_channels=4096, out_channels=256,
                  num_layers=2, with_bias=True, with_last_bn=False, with_avg_pool=True),
        head=dict(type='mmpretrain.LatentPredictHead', loss=dict(type='mmpretrain.CosineSimilarityLoss'),
                  predictor=dict(type='mmpretrain.NonLinearNeck', in_channels=256, hid_channels=4096,
                                 out_channels=256, num_layers=2, with_bias=True, with_last_bn=False,
                                 with_avg_pool=False)))
    return pixpro, byol


def _batch(batch: int, size: int):
    from mmpretrain.structures import DataSample
    g = torch.Generator().manual_seed(0)
    views = [torch.randn(batch, 3, size, size, generator=g) for _ in range(2)]
    rng = np.random.default_rng(0)
    samples = []
    for _ in range(batch):
        boxes = []
        for _ in range(2):
            w = int(rng.integers(size // 2, size))
            x0, y0 = rng.integers(0, size - w + 1, 2)
            boxes.append([x0, y0, x0 + w - 1, y0 + w - 1])
        s = DataSample()
        s.set_metainfo(dict(view_bboxes=np.array(boxes, np.float32), view_flips=rng.random(2) < 0.5,
                            view_src_shapes=np.array([[size, size]] * 2)))
        samples.append(s)
    return views, samples


def _step(model, opt, views, samples):
    losses = model.loss(views, samples)
    loss = sum(v for k, v in losses.items() if 'loss' in k)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


class _Timer:
    """Wraps a bound method and accumulates the wall time of its calls."""

    def __init__(self, obj, name):
        self.obj, self.name, self.fn, self.total = obj, name, getattr(obj, name), 0.

        def timed(*args, **kwargs):
            start = time.perf_counter()
            out = self.fn(*args, **kwargs)
            self.total += time.perf_counter() - start
            return out

        setattr(obj, name, timed)

    def restore(self):
        setattr(self.obj, self.name, self.fn)


def time_interleaved(contenders, views, samples, iters):
    """Median step time of each ``(name, model, setup, timers)``; ``setup(model)`` runs before each step.

    The contenders take turns every round, in a rotating order, so that load from other processes hits them alike,
    and each timed step follows an untimed step of the same contender (a step right after another model's pays for
    re-faulting its memory, which is not the cost of the step).
    """
    state = {}
    for name, model, setup, timers in contenders:
        model.train()
        opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=1e-3, momentum=0.9)
        state[name] = (opt, [], [])
    for round_ in range(iters):
        shift = round_ % len(contenders)  # every contender takes every slot of the round in turn
        for name, model, setup, timers in contenders[shift:] + contenders[:shift]:
            opt, times, inside = state[name]
            setup(model)
            _step(model, opt, views, samples)  # untimed: warms this model's memory
            for t in timers:
                t.total = 0.
            start = time.perf_counter()
            _step(model, opt, views, samples)
            times.append(time.perf_counter() - start)
            inside.append(sum(t.total for t in timers))
    # the fastest step estimates the step's own cost: slower ones waited for other processes (timeit's rule)
    return {name: min(zip(times, inside)) for name, (_, times, inside) in state.items()}


def inverse_backward_time(model, views, iters):
    """Backward of the online map's inverse warp, on the PixPro step's shapes (median of ``iters``)."""
    with torch.no_grad():
        feat = model.ppm(model.neck(model.backbone(views[0])))
    size = tuple(views[0].shape[-2:])
    out = []
    for _ in range(iters + 1):
        mat = model.affine.sample(feat.shape[0], size)
        for _view in range(2):
            f = feat.clone().requires_grad_(True)
            back, _ = model.affine.inverse(f, mat, size)
            grad = torch.randn_like(back)
            start = time.perf_counter()
            back.backward(grad)
            out.append(time.perf_counter() - start)
    per_view = min(out[2:])
    return 2 * per_view  # two views per step


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    from mmengine.logging import MessageHub
    from densessl.utils import register_all_modules
    register_all_modules()
    MessageHub.get_current_instance().update_info('max_iters', 1000)  # CosineEMA reads it
    torch.manual_seed(0)
    depth = int(args.backbone.replace('resnet', ''))
    pixpro, byol = _models(depth)
    views, samples = _batch(args.batch, args.size)
    print(f'backbone ResNet-{depth}, batch {args.batch} x 2 views of {args.size}x{args.size}, '
          f'{torch.get_num_threads()} threads, fastest of {args.iters} steps', flush=True)

    affine = pixpro.affine
    timers = [_Timer(affine, 'forward'), _Timer(affine, 'inverse')]

    def affine_on(model):
        model.affine = affine

    def affine_off(model):
        model.affine = None

    result = time_interleaved([('pixpro', pixpro, affine_on, timers), ('pixpro_off', pixpro, affine_off, []),
                               ('byol', byol, lambda m: None, [])], views, samples, args.iters)
    for t in timers:
        t.restore()
    pixpro.affine = affine
    (t_pixpro, t_affine_fwd), (t_pixpro_off, _), (t_byol, _) = (result[k] for k in ('pixpro', 'pixpro_off', 'byol'))
    t_affine_bwd = inverse_backward_time(pixpro, views, args.iters)

    share = (t_affine_fwd + t_affine_bwd) / t_pixpro
    print(f'PixPro step (affine on):        {t_pixpro * 1e3:9.1f} ms')
    print(f'PixPro step (affine off):       {t_pixpro_off * 1e3:9.1f} ms')
    print(f'mmpretrain BYOL step:           {t_byol * 1e3:9.1f} ms')
    print(f'affine + inverse warp per step: {(t_affine_fwd + t_affine_bwd) * 1e3:9.1f} ms '
          f'(forward {t_affine_fwd * 1e3:.1f}, inverse-warp backward {t_affine_bwd * 1e3:.1f})')
    print(f'ratio PixPro / BYOL step time:  {t_pixpro / t_byol:9.3f}')
    print(f'share of affine + inverse warp: {100 * share:9.2f} % of a PixPro step (target <= 2 %)')
    return dict(pixpro=t_pixpro, pixpro_no_affine=t_pixpro_off, byol=t_byol, affine=t_affine_fwd + t_affine_bwd,
                ratio=t_pixpro / t_byol, share=share)


if __name__ == '__main__':
    main()
