"""Checks run before a Runner is built, so a bad setting fails in seconds with a message naming the file."""
import os.path as osp
from typing import Iterator, Tuple

from mmengine.config import Config, ConfigDict


def _walk(node, path='') -> Iterator[Tuple[str, dict]]:
    if isinstance(node, dict):
        yield path, node
        for k, v in node.items():
            yield from _walk(v, f'{path}.{k}' if path else str(k))
    elif isinstance(node, (list, tuple)):
        for i, v in enumerate(node):
            yield from _walk(v, f'{path}[{i}]')


def _is_remote(path: str) -> bool:
    return '://' in path


def check_checkpoints(cfg: Config) -> None:
    """Fail early when a local checkpoint named by the config is missing.

    Looks at ``load_from`` and every ``init_cfg=dict(type='Pretrained', checkpoint=...)``. URLs and
    ``open-mmlab://``-style names are left to MMEngine's loaders (they need network access, which the loader
    reports itself).

    Raises:
        FileNotFoundError: naming the config key, the missing path and how to supply one.
    """
    missing = []
    load_from = cfg.get('load_from')
    if load_from and not _is_remote(load_from) and not osp.isfile(load_from):
        missing.append(('load_from', load_from))
    for key, node in _walk(cfg.to_dict() if isinstance(cfg, Config) else dict(cfg)):
        init_cfgs = node.get('init_cfg')
        init_cfgs = init_cfgs if isinstance(init_cfgs, (list, tuple)) else [init_cfgs]
        for init in init_cfgs:
            if isinstance(init, (dict, ConfigDict)) and init.get('type') == 'Pretrained':
                ckpt = init.get('checkpoint')
                if ckpt and not _is_remote(ckpt) and not osp.isfile(ckpt):
                    missing.append((f'{key}.init_cfg.checkpoint', ckpt))
    if missing:
        lines = '\n'.join(f'  {k} = {p!r}' for k, p in missing)
        raise FileNotFoundError(
            'checkpoint file(s) named in the config do not exist:\n' + lines +
            '\nDownload them once where you have network access and put them at that path, point the key at your '
            "copy (--cfg-options KEY=PATH), or train from scratch with --cfg-options KEY=None (e.g. "
            "model.backbone.init_cfg=None).")


#: dataset type -> whether it is the source scenes (generate_demo_dataset(source=...))
DEMO_DATASET_TYPES = {'DemoScenesDataset': False, 'densessl.DemoScenesDataset': False,
                      'DemoSourceScenesDataset': True, 'densessl.DemoSourceScenesDataset': True}


def ensure_demo_data_for(cfg: Config) -> None:
    """Generate the embedded demo data (demo or source scenes, by dataset type) when a config uses it and it is
    not on disk yet.

    The scenes are built deterministically from the Fashion-MNIST files of the Debian package
    ``dataset-fashion-mnist`` (``DENSESSL_FMNIST_ROOT`` overrides their folder). In a distributed job rank 0
    generates and the others wait.
    """
    from mmengine.dist import barrier, get_rank

    roots = {}
    for _, node in _walk(cfg.to_dict() if isinstance(cfg, Config) else dict(cfg)):
        if node.get('type') in DEMO_DATASET_TYPES and node.get('data_root'):
            roots[node['data_root']] = DEMO_DATASET_TYPES[node['type']]
    for root, source in sorted(roots.items()):
        if osp.isfile(osp.join(root, 'ImageSets', 'Segmentation', 'val.txt')):
            continue
        if get_rank() == 0:
            from densessl.datasets.demo_scenes import generate_demo_dataset
            print(f'[densessl] demo data not found in {root}: generating it from Fashion-MNIST (seconds)...',
                  flush=True)
            generate_demo_dataset(root, source=source)
        barrier()
