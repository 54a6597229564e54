#!/usr/bin/env python
"""t-SNE plot and clustering accuracy of a trained model's features on its validation (or test) images.

    python tools/misc/tsne.py CONFIG CHECKPOINT [--num 2000] [--out work_dirs/tsne.png] [--predict-on student]
                                                [--split test] [--perplexity 30] [--iters 750]

The features are the pooled backbone (+ neck) features of the network that predicts (the EMA teacher of a
semi-supervised classifier by default; the backbone of a RotNet / pretraining model). The tool writes the plot
(``--out``), the 2-D embedding with the labels (``<out>.npz``) and prints the k-means + Hungarian clustering
accuracy of the features (:func:`densessl.evaluation.clustering.feature_clustering_accuracy`), the measure the
seed papers use to judge pretrained features. t-SNE is computed exactly (O(N^2), fine for a few thousand points)
by :func:`tsne` below (scikit-learn is not a dependency).
"""
import argparse
import os
import os.path as osp
import sys
from typing import Optional

import numpy as np
import torch

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO not in sys.path:
    sys.path.insert(0, REPO)


def _conditional_p(d2: torch.Tensor, perplexity: float, tol: float = 1e-5, max_steps: int = 64) -> torch.Tensor:
    """Row-wise Gaussian affinities whose entropy matches ``log(perplexity)`` (binary search on the precision)."""
    n = d2.shape[0]
    target = np.log(perplexity)
    beta = torch.ones(n, dtype=d2.dtype)
    lo = torch.full((n, ), 0.0, dtype=d2.dtype)
    hi = torch.full((n, ), float('inf'), dtype=d2.dtype)
    mask = ~torch.eye(n, dtype=torch.bool)
    for _ in range(max_steps):
        logits = -d2 * beta[:, None]
        logits = logits.masked_fill(~mask, float('-inf'))
        p = torch.softmax(logits, dim=1)
        entropy = -(p * torch.log(p.clamp_min(1e-30))).sum(1)
        diff = entropy - target
        if diff.abs().max() < tol:
            break
        too_flat = diff > 0  # entropy too high: increase the precision
        lo = torch.where(too_flat, beta, lo)
        hi = torch.where(too_flat, hi, beta)
        beta = torch.where(torch.isinf(hi), beta * 2, (lo + hi) / 2)
    return p


def tsne(x, dim: int = 2, perplexity: float = 30.0, iters: int = 750, lr: Optional[float] = None,
         seed: int = 0) -> np.ndarray:
    """Exact t-SNE (van der Maaten & Hinton 2008) with early exaggeration and momentum.

    Args:
        x (array-like): ``(N, D)`` points.
        dim (int): output dimension. Defaults to 2.
        perplexity (float): effective number of neighbours (lowered to ``(N - 1) / 3`` for tiny inputs).
        iters (int): gradient steps (the first quarter with exaggeration 12). Defaults to 750.
        lr (float, optional): step size; defaults to ``max(N / 12, 50)``.
        seed (int): seed of the initial layout.

    Returns:
        np.ndarray: ``(N, dim)`` embedding.
    """
    x = torch.as_tensor(np.asarray(x), dtype=torch.float64).flatten(1)
    n = x.shape[0]
    if n < 4:
        raise ValueError(f't-SNE needs at least 4 points, got {n}')
    perplexity = min(perplexity, (n - 1) / 3)
    d2 = torch.cdist(x, x).pow(2)
    p = _conditional_p(d2 / d2[d2 > 0].median().clamp_min(1e-12), perplexity)
    p = (p + p.T) / (2 * n)
    p = p.clamp_min(1e-12)
    gen = torch.Generator().manual_seed(seed)
    y = torch.randn(n, dim, generator=gen, dtype=torch.float64) * 1e-4
    velocity = torch.zeros_like(y)
    gains = torch.ones_like(y)
    lr = lr or max(n / 12.0, 50.0)
    exaggerate = iters // 4
    eye = torch.eye(n, dtype=torch.bool)
    for step in range(iters):
        num = 1.0 / (1.0 + torch.cdist(y, y).pow(2))
        num = num.masked_fill(eye, 0.0)
        q = (num / num.sum()).clamp_min(1e-12)
        pp = p * (12.0 if step < exaggerate else 1.0)
        w = (pp - q) * num
        grad = 4.0 * (torch.diag(w.sum(1)) - w) @ y
        same_sign = (grad > 0) == (velocity > 0)
        gains = torch.where(same_sign, gains * 0.8, gains + 0.2).clamp_min(0.01)
        momentum = 0.5 if step < exaggerate else 0.8
        velocity = momentum * velocity - lr * gains * grad
        y = y + velocity
        y = y - y.mean(0)
    return y.numpy()


@torch.no_grad()
def extract_features(model, dataloader, num: int):
    """Pooled features and labels of the first ``num`` images of ``dataloader`` (model in eval mode)."""
    model.eval()
    feats, labels = [], []
    seen = 0
    for batch in dataloader:
        data = model.data_preprocessor(batch, False)
        out = model.extract_feat(data['inputs'])
        f = out[-1] if isinstance(out, (tuple, list)) else out
        if f.dim() == 4:
            f = f.mean((2, 3))
        feats.append(f.flatten(1).cpu())
        labels.extend(int(s.gt_label.view(-1)[0]) for s in data['data_samples'])
        seen += f.shape[0]
        if seen >= num:
            break
    return torch.cat(feats)[:num], np.array(labels[:num])


def scatter(emb: np.ndarray, labels: np.ndarray, out: str, title: str, class_names=None) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 7))
    cmap = plt.get_cmap('tab10' if labels.max() < 10 else 'tab20')
    for c in np.unique(labels):
        sel = labels == c
        name = class_names[c] if class_names is not None and c < len(class_names) else str(c)
        ax.scatter(emb[sel, 0], emb[sel, 1], s=4, color=cmap(int(c) % cmap.N), label=name)
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(markerscale=3, fontsize=7, loc='best')
    fig.tight_layout()
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    fig.savefig(out, dpi=120)
    plt.close(fig)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='t-SNE plot and clustering accuracy of a model\'s features')
    p.add_argument('config')
    p.add_argument('checkpoint')
    p.add_argument('--num', type=int, default=2000, help='images to embed')
    p.add_argument('--out', default='work_dirs/tsne.png')
    p.add_argument('--split', choices=['val', 'test'], default='val', help='which dataloader of the config')
    p.add_argument('--predict-on', choices=['teacher', 'student'], help='network of a semi-supervised model')
    p.add_argument('--perplexity', type=float, default=30.0)
    p.add_argument('--iters', type=int, default=750)
    p.add_argument('--seed', type=int, default=0)
    return p.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    from mmengine.config import Config
    from mmengine.runner import Runner, load_checkpoint

    from densessl.evaluation.clustering import feature_clustering_accuracy
    from densessl.registry import MODELS
    from densessl.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(args.config)
    if cfg.get('custom_imports'):
        from mmengine.utils import import_modules_from_strings
        import_modules_from_strings(**cfg.custom_imports)
    model = MODELS.build(cfg.model)
    load_checkpoint(model, args.checkpoint, map_location='cpu')
    if args.predict_on:
        if not hasattr(model, 'semi_test_cfg'):
            raise ValueError(f'--predict-on needs a teacher-student model, {type(model).__name__} is not one')
        model.semi_test_cfg['predict_on'] = args.predict_on
    loader_cfg = cfg.get(f'{args.split}_dataloader')
    if loader_cfg is None:
        raise ValueError(f'{args.config} has no {args.split}_dataloader to take images from')
    loader_cfg = dict(loader_cfg, persistent_workers=False)
    loader = Runner.build_dataloader(loader_cfg)
    feats, labels = extract_features(model, loader, args.num)
    acc = feature_clustering_accuracy(feats, labels, seed=args.seed)
    emb = tsne(feats.numpy(), perplexity=args.perplexity, iters=args.iters, seed=args.seed)
    classes = loader.dataset.metainfo.get('classes')
    title = f'{osp.basename(args.config)}\n{len(labels)} images, clustering accuracy {100 * acc:.1f} %'
    scatter(emb, labels, args.out, title, classes)
    np.savez(osp.splitext(args.out)[0] + '.npz', embedding=emb, labels=labels, features=feats.numpy())
    print(f'clustering accuracy (k-means + Hungarian) of {len(labels)} features: {100 * acc:.2f} %')
    print(f'wrote {args.out}')
    return dict(clustering_accuracy=acc, embedding=emb, labels=labels)


if __name__ == '__main__':
    main()
