#!/usr/bin/env python
"""Benchmark: the label-budget advisor on a large unlabeled pool (time and peak memory).

Writes ``--num-images`` synthetic scenes (random backgrounds with a few coloured shapes, JPEG, ``--image-size`` px;
reused when already there) and embeds them with the demo segmenter's backbone (DeepLabV3+ R18, random weights:
the timing does not depend on them) through the advisor's own path
(:mod:`densessl.selection.features`: batched DataLoader, features written to a feature folder chunk by chunk),
then runs each strategy of ``--strategies`` on the memory-mapped features (k-means and the dense words with
mini-batch k-means). For each phase it reports the wall time and the peak resident memory of this process,
sampled every 20 ms: all of it (``VmRSS``, which includes pages of the memory-mapped feature files) and the
anonymous part (``RssAnon``: what the code allocates). The DataLoader workers are separate processes: their peak
is reported too (``ru_maxrss`` of the children)::

    python tools/benchmarks/suggest_labels_scale.py                          # 10 000 images of 128 px
    python tools/benchmarks/suggest_labels_scale.py --num-images 200 --image-size 64   # a quick check

Results go to ``<work-dir>/results.json`` and stdout.
"""
import argparse
import json
import os
import os.path as osp
import resource
import sys
import threading
import time

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)

DEMO_CONFIG = 'configs/deeplabv3plus/deeplabv3plus_r18-d16_1xb8-1k_demo-5pct-96x96.py'


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--num-images', type=int, default=10000)
    p.add_argument('--image-size', type=int, default=128)
    p.add_argument('--budget', type=int, default=100)
    p.add_argument('--strategies', nargs='+', default=['kmeans', 'coreset', 'dense'],
                   choices=['kmeans', 'coreset', 'dense', 'random'])
    p.add_argument('--batch-size', type=int, default=64)
    p.add_argument('--num-workers', type=int, default=2)
    p.add_argument('--chunk-size', type=int, default=1024, help='images between flushes of the feature files')
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--work-dir', default=osp.join(REPO, 'work_dirs', 'bench_suggest_labels'))
    return p.parse_args(argv)


def _status_kb(field: str) -> int:
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    return 0


class PeakMemory:
    """Samples this process's VmRSS and RssAnon every ``interval`` seconds while in the ``with`` block."""

    def __init__(self, interval: float = 0.02):
        self.interval = interval
        self.peak_rss = self.peak_anon = 0
        self._stop = threading.Event()

    def _sample(self):
        self.peak_rss = max(self.peak_rss, _status_kb('VmRSS'))
        self.peak_anon = max(self.peak_anon, _status_kb('RssAnon'))

    def _loop(self):
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self):
        self.start_rss, self.start_anon = _status_kb('VmRSS'), _status_kb('RssAnon')
        self._sample()
        self.t0 = time.time()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.seconds = time.time() - self.t0
        self._stop.set()
        self._thread.join()
        self._sample()

    def result(self) -> dict:
        mb = 1 / 1024
        return dict(seconds=round(self.seconds, 2), peak_rss_mb=round(self.peak_rss * mb, 1),
                    peak_anon_mb=round(self.peak_anon * mb, 1),
                    anon_increase_mb=round((self.peak_anon - self.start_anon) * mb, 1))


def write_images(folder: str, n: int, size: int, seed: int = 0) -> float:
    """``n`` synthetic scenes in ``folder`` (skipped when they are there); returns the seconds spent."""
    import numpy as np
    from PIL import Image, ImageDraw

    t0 = time.time()
    os.makedirs(folder, exist_ok=True)
    have = len([f for f in os.listdir(folder) if f.endswith('.jpg')])
    if have == n:
        return 0.0
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size] / max(size - 1, 1)
    for i in range(n):
        c0, c1 = rng.uniform(0, 255, 3), rng.uniform(0, 255, 3)
        t = (xx * rng.uniform(-1, 1) + yy * rng.uniform(-1, 1))[..., None]
        t = (t - t.min()) / max(float(t.max() - t.min()), 1e-6)
        img = Image.fromarray((c0 * (1 - t) + c1 * t).astype(np.uint8))
        draw = ImageDraw.Draw(img)
        for _ in range(int(rng.integers(1, 5))):
            x0, y0 = rng.integers(0, size * 3 // 4, 2)
            w, h = rng.integers(size // 8, size // 2, 2)
            box = [int(x0), int(y0), int(x0 + w), int(y0 + h)]
            colour = tuple(int(v) for v in rng.integers(0, 256, 3))
            (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=colour)
        img.save(osp.join(folder, f'img_{i:06d}.jpg'), quality=90)
    return time.time() - t0


def random_backbone(path: str) -> str:
    import torch
    from mmengine.config import Config

    from densessl.registry import MODELS
    from densessl.selection.features import _densessl_scope

    if not osp.isfile(path):
        torch.manual_seed(0)
        with _densessl_scope():
            backbone = MODELS.build(dict(Config.fromfile(osp.join(REPO, DEMO_CONFIG)).model.backbone))
        torch.save(dict(state_dict=backbone.state_dict()), path)
    return path


def main(argv=None) -> dict:
    args = parse_args(argv)
    os.environ.setdefault('OMP_NUM_THREADS', str(args.threads))
    import numpy as np
    import torch
    torch.set_num_threads(args.threads)

    from densessl.selection.features import (build_backbone, build_pool, extract_features, feature_key,
                                             find_preprocessor_cfg, resolve_model)
    from densessl.selection.strategies import select

    os.makedirs(args.work_dir, exist_ok=True)
    images = osp.join(args.work_dir, f'images_{args.num_images}_{args.image_size}px')
    write_s = write_images(images, args.num_images, args.image_size)
    weights = random_backbone(osp.join(args.work_dir, 'random_r18_backbone.pth'))
    cfg, weights, _ = resolve_model(osp.join(REPO, DEMO_CONFIG), checkpoint=weights)
    fdir = osp.join(args.work_dir, f'features_{args.num_images}_{args.image_size}px')
    if osp.isdir(fdir):  # time a fresh extraction
        for f in os.listdir(fdir):
            os.remove(osp.join(fdir, f))
    results = dict(num_images=args.num_images, image_size=args.image_size, budget=args.budget,
                   batch_size=args.batch_size, num_workers=args.num_workers, threads=args.threads,
                   write_images_seconds=round(write_s, 1), phases={})
    with PeakMemory() as mem:
        pool = build_pool(images)
        backbone = build_backbone(cfg, weights, device='cpu')
        feats = extract_features(backbone, pool, find_preprocessor_cfg(cfg), batch_size=args.batch_size,
                                 num_workers=args.num_workers, feature_dir=fdir, chunk_size=args.chunk_size,
                                 key=feature_key(cfg, weights, 'online', None), progress=False)
    del backbone
    results['phases']['features'] = dict(
        mem.result(), images_per_second=round(args.num_images / mem.seconds, 1),
        feature_files_mb=round(sum(osp.getsize(osp.join(fdir, f)) for f in os.listdir(fdir)) / 2**20, 1),
        pooled_shape=list(feats.pooled.shape), regions_shape=list(feats.regions.shape),
        workers_peak_rss_mb=round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1))
    print(f'[bench] features: {results["phases"]["features"]}', flush=True)
    pooled = np.load(osp.join(fdir, 'pooled.npy'), mmap_mode='r')
    regions = np.load(osp.join(fdir, 'regions.npy'), mmap_mode='r')
    for strategy in args.strategies:
        opts = dict(minibatch=True) if strategy in ('kmeans', 'dense') else {}
        with PeakMemory() as mem:
            sel = select(strategy, args.budget, pooled=pooled, regions=regions if strategy == 'dense' else None,
                         num_images=args.num_images, **opts)
        results['phases'][strategy] = dict(mem.result(), chosen=len(sel.indices))
        print(f'[bench] {strategy}: {results["phases"][strategy]}', flush=True)
    results['process_peak_rss_mb'] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    with open(osp.join(args.work_dir, 'results.json'), 'w') as f:
        json.dump(results, f, indent=2)
    lines = [f'suggest_labels at scale: {args.num_images} images of {args.image_size} px, DeepLabV3+ R18 backbone '
             f'(random weights), budget {args.budget}, {args.threads} threads, {args.num_workers} loader workers', '',
             '| phase | seconds | peak RSS (MB) | peak anonymous (MB) | anonymous increase (MB) |',
             '|---|---|---|---|---|']
    for name, r in results['phases'].items():
        lines.append(f'| {name} | {r["seconds"]} | {r["peak_rss_mb"]} | {r["peak_anon_mb"]} | '
                     f'{r["anon_increase_mb"]} |')
    f = results['phases']['features']
    lines.append('')
    lines.append(f'features: {f["images_per_second"]} images/s, {f["feature_files_mb"]} MB on disk (pooled '
                 f'{f["pooled_shape"]}, regions {f["regions_shape"]}), loader workers peak RSS '
                 f'{f["workers_peak_rss_mb"]} MB; process peak RSS {results["process_peak_rss_mb"]} MB')
    print('\n'.join(lines))
    return results


if __name__ == '__main__':
    main()
