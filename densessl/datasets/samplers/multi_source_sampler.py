"""An infinite sampler that fixes how many samples of each source (labeled, unlabeled) every batch holds."""
import itertools
from typing import Iterator, List, Optional, Sequence, Sized, Union

import torch
from mmengine.dist import get_dist_info, sync_random_seed
from torch.utils.data import Sampler

from densessl.registry import DATA_SAMPLERS

__all__ = ['MultiSourceSampler']


@DATA_SAMPLERS.register_module()
class MultiSourceSampler(Sampler):
    r"""Infinite sampler over a ``ConcatDataset`` whose every batch mixes its sources in a fixed ratio.

    Same design as mmdet's ``MultiSourceSampler``: each source has its own infinite stream of indices (shuffled
    anew on every pass, from ``seed`` and the pass number), sliced by rank so that the processes of a distributed
    job draw disjoint samples; a batch takes the next ``num_per_source[k]`` indices of each source ``k`` in
    source order. With ``source_ratio=[1, 1]`` and ``batch_size=8`` every batch holds 4 labeled then 4 unlabeled
    samples. The stream depends only on ``seed``, ``rank`` and ``world_size``, so an interrupted iteration-based
    run that skips the batches it already trained on (MMEngine's ``IterBasedTrainLoop`` does on resume) sees
    the same data as an uninterrupted one. Pair it with ``IterBasedTrainLoop``.

    Args:
        dataset (Sized): a ``ConcatDataset`` (``datasets`` and ``cumulative_sizes`` attributes), sources in the
            order of ``source_ratio``.
        batch_size (int): samples per batch **per process**; must equal the dataloader's ``batch_size``.
        source_ratio (list[int | float]): relative number of samples of each source per batch.
        shuffle (bool): shuffle each source. Defaults to True.
        seed (int, optional): random seed (MMEngine passes the run's seed); ``None`` draws one, synchronised
            across processes.

    Raises:
        TypeError: ``dataset`` is not a ``ConcatDataset``.
        ValueError: bad ``batch_size`` / ``source_ratio``, a source with no sample, or a source that would get no
            sample in a batch.

    Examples:
        >>> from torch.utils.data import ConcatDataset
        >>> ds = ConcatDataset([list(range(2)), list(range(10))])
        >>> it = iter(MultiSourceSampler(ds, batch_size=4, source_ratio=[1, 3], seed=0))
        >>> batch = [next(it) for _ in range(4)]
        >>> sum(i < 2 for i in batch), sum(i >= 2 for i in batch)
        (1, 3)
    """

    def __init__(self,
                 dataset: Sized,
                 batch_size: int,
                 source_ratio: Sequence[Union[int, float]],
                 shuffle: bool = True,
                 seed: Optional[int] = None) -> None:
        if not (hasattr(dataset, 'cumulative_sizes') and hasattr(dataset, 'datasets')):
            raise TypeError('MultiSourceSampler needs a ConcatDataset (labeled and unlabeled datasets in '
                            f"dict(type='ConcatDataset', datasets=[...])), got {type(dataset).__name__}")
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f'batch_size must be a positive integer, got {batch_size!r}')
        source_ratio = list(source_ratio)
        if len(source_ratio) != len(dataset.datasets):
            raise ValueError(f'source_ratio {source_ratio} has {len(source_ratio)} entries but the ConcatDataset '
                             f'has {len(dataset.datasets)} datasets')
        if any(r < 0 for r in source_ratio) or sum(source_ratio) <= 0:
            raise ValueError(f'source_ratio must be non-negative with a positive sum, got {source_ratio}')
        self.rank, self.world_size = get_dist_info()
        self.dataset = dataset
        self.cumulative_sizes = [0] + list(dataset.cumulative_sizes)
        self.batch_size = batch_size
        self.source_ratio = source_ratio
        num = [int(batch_size * r / sum(source_ratio)) for r in source_ratio]
        num[0] = batch_size - sum(num[1:])
        self.num_per_source: List[int] = num
        for k, (r, n) in enumerate(zip(source_ratio, num)):
            if r > 0 and n == 0:
                raise ValueError(f'source {k} gets no sample in a batch of {batch_size} with source_ratio '
                                 f'{source_ratio}; raise batch_size or change the ratio')
            if n > 0 and len(dataset.datasets[k]) == 0:
                raise ValueError(f'source {k} of the ConcatDataset is empty')
        self.shuffle = shuffle
        self.seed = sync_random_seed() if seed is None else int(seed)

    def _infinite_indices(self, source: int) -> Iterator[int]:
        """Every index of ``source``, pass after pass, each pass shuffled from ``(seed, source, pass)``."""
        size = len(self.dataset.datasets[source])
        for epoch in itertools.count():
            if self.shuffle:
                g = torch.Generator()
                g.manual_seed(self.seed + 1_000_003 * source + 7_919 * epoch)
                yield from torch.randperm(size, generator=g).tolist()
            else:
                yield from range(size)

    def _indices_of_rank(self, source: int) -> Iterator[int]:
        return itertools.islice(self._infinite_indices(source), self.rank, None, self.world_size)

    def __iter__(self) -> Iterator[int]:
        streams = [self._indices_of_rank(k) for k in range(len(self.num_per_source))]
        while True:
            for k, n in enumerate(self.num_per_source):
                offset = self.cumulative_sizes[k]
                for _ in range(n):
                    yield next(streams[k]) + offset

    def __len__(self) -> int:
        return len(self.dataset)

    def set_epoch(self, epoch: int) -> None:
        """Nothing to do: the sampler is infinite (iteration-based training)."""
