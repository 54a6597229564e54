"""Write the balanced labeled / unlabeled split files of the classification benchmarks.

Usage::

    python tools/make_cls_splits.py fashion_mnist                        # 40 labels (4 per class)
    python tools/make_cls_splits.py cifar10 --data-root data/cifar10     # 40, 250, 1000 labels
    python tools/make_cls_splits.py cifar100 --data-root data/cifar100   # 400, 2500 labels
    python tools/make_cls_splits.py svhn --data-root data/svhn           # 40 labels
    python tools/make_cls_splits.py cifar10 --num 4000 --seed 1          # any other count / seed

Each setting goes to ``OUT/<dataset>/<n>labels/{labeled,unlabeled}.txt`` (``<n>labels-seed<k>`` for a seed other
than 0; OUT defaults to the repository's ``data/splits``): one index of the official training set per line,
the same number of labeled samples in every class (:func:`densessl.datasets.splits.make_balanced_split`),
and the unlabeled file lists every other training sample (the two files partition the training set, as the
segmentation splits do). The choice depends only on the labels, the count and ``--seed``.
"""
import argparse
import os.path as osp
import sys
from typing import Dict, List, Optional, Sequence

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEFAULT_OUT = osp.join(REPO_ROOT, 'data', 'splits')

#: dataset -> class name in densessl.datasets.cls_datasets, default data root, the standard label counts
CLS_SPLITS: Dict[str, dict] = {
    'fashion_mnist': dict(cls='SemiFashionMNIST', data_root='data/fashion_mnist', settings=(40, )),
    'cifar10': dict(cls='SemiCIFAR10', data_root='data/cifar10', settings=(40, 250, 1000)),
    'cifar100': dict(cls='SemiCIFAR100', data_root='data/cifar100', settings=(400, 2500)),
    'svhn': dict(cls='SemiSVHN', data_root='data/svhn', settings=(40, )),
}


def split_dir_name(num_labeled: int, seed: int = 0) -> str:
    """``'<n>labels'`` for seed 0, ``'<n>labels-seed<k>'`` otherwise."""
    return f'{num_labeled}labels' + (f'-seed{seed}' if seed else '')


def training_labels(dataset: str, data_root: Optional[str] = None) -> List[int]:
    """The label of every sample of ``dataset``'s official training set (read through its dataset class)."""
    if REPO_ROOT not in sys.path:
        sys.path.insert(0, REPO_ROOT)
    from densessl.datasets import cls_datasets
    if dataset not in CLS_SPLITS:
        raise ValueError(f'unknown dataset {dataset!r}; choose from {sorted(CLS_SPLITS)}')
    spec = CLS_SPLITS[dataset]
    ds = getattr(cls_datasets, spec['cls'])(data_root=data_root or spec['data_root'], split='train',
                                            lazy_init=True)
    return [int(info['gt_label']) for info in ds.load_data_list()]


def make_cls_splits(dataset: str,
                    nums: Optional[Sequence[int]] = None,
                    seed: int = 0,
                    data_root: Optional[str] = None,
                    out: str = DEFAULT_OUT,
                    labels: Optional[Sequence[int]] = None) -> List[str]:
    """Write the split files of ``dataset`` for every count in ``nums`` (default: the standard settings).

    Args:
        dataset (str): a key of :data:`CLS_SPLITS`.
        nums (sequence[int], optional): label counts. Defaults to the dataset's standard settings.
        seed (int): seed of the choice.
        data_root (str, optional): where the dataset files are (defaults to ``data/<dataset>``).
        out (str): root folder of the split files.
        labels (sequence[int], optional): the training labels, if already known (skips reading the data).

    Returns:
        list[str]: the folders written.
    """
    from densessl.datasets.splits import make_balanced_split, write_index_split
    if dataset not in CLS_SPLITS:
        raise ValueError(f'unknown dataset {dataset!r}; choose from {sorted(CLS_SPLITS)}')
    if labels is None:
        labels = training_labels(dataset, data_root)
    written = []
    for num in (nums or CLS_SPLITS[dataset]['settings']):
        labeled, unlabeled = make_balanced_split(labels, int(num), seed)
        folder = osp.join(out, dataset, split_dir_name(int(num), seed))
        write_index_split(folder, labeled, unlabeled)
        written.append(folder)
    return written


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('dataset', choices=sorted(CLS_SPLITS))
    parser.add_argument('--data-root', help='dataset folder (default: data/<dataset>)')
    parser.add_argument('--num', type=int, nargs='+', help='label counts (default: the standard settings)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', default=DEFAULT_OUT, help='root folder of the split files')
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    for folder in make_cls_splits(args.dataset, args.num, args.seed, args.data_root, args.out):
        with open(osp.join(folder, 'labeled.txt')) as f:
            n = sum(1 for line in f if line.strip())
        print(f'{folder}: {n} labeled')


if __name__ == '__main__':
    main()
