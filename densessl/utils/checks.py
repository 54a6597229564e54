"""Checks run before a Runner is built, so a bad setting fails in seconds with a message naming the file."""
import os.path as osp
from typing import Any, Iterable, Iterator, Tuple

from mmengine.config import Config, ConfigDict


def check_choice(owner: str, name: str, value: Any, choices: Iterable) -> None:
    """Raise a ``ValueError`` naming ``owner``, the argument and the allowed values unless ``value`` is one of them.

    Examples:
        >>> check_choice('ConsistencyLoss', 'reduction', 'sum', ('mean', 'sum'))
        >>> check_choice('ConsistencyLoss', 'reduction', 'max', ('mean', 'sum'))
        Traceback (most recent call last):
        ...
        ValueError: ConsistencyLoss: reduction must be one of ('mean', 'sum'), got 'max'
    """
    choices = tuple(choices)
    if value not in choices:
        raise ValueError(f'{owner}: {name} must be one of {choices}, got {value!r}')


def _walk(node, path='') -> Iterator[Tuple[str, dict]]:
    """Every dict inside ``node`` with its dotted key (list items as ``.i``, the form ``--cfg-options`` takes)."""
    if isinstance(node, dict):
        yield path, node
        for k, v in node.items():
            yield from _walk(v, f'{path}.{k}' if path else str(k))
    elif isinstance(node, (list, tuple)):
        for i, v in enumerate(node):
            yield from _walk(v, f'{path}.{i}' if path else str(i))


def _is_remote(path: str) -> bool:
    return '://' in path


def check_checkpoints(cfg: Config, option_prefix: str = '') -> None:
    """Fail early when a local checkpoint named by the config is missing.

    Looks at ``load_from`` and every ``init_cfg=dict(type='Pretrained', checkpoint=...)`` inside ``model`` (the
    only one the Runner builds: helper variables of a config, such as a ``segmentor`` dict a ``model`` was made
    from and later overridden, are not). URLs and ``open-mmlab://``-style names are left to MMEngine's loaders
    (they need network access, which the loader reports itself).

    Args:
        cfg (Config): the config to check.
        option_prefix (str): what ``--cfg-options`` keys need in front to reach this config: ``''`` for a plain
            config, ``'<stage name>.'`` for a stage of a recipe. The error's advice uses it.

    Raises:
        FileNotFoundError: naming the config, the key, the missing path, and the ``--cfg-options`` that point the
            key at a copy or train without the file.

    Examples:
        >>> from mmengine.config import Config
        >>> cfg = Config(dict(model=dict(backbone=dict(
        ...     init_cfg=dict(type='Pretrained', checkpoint='no/such/r50.pth')))))
        >>> check_checkpoints(cfg, option_prefix='pixpro.')
        Traceback (most recent call last):
        ...
        FileNotFoundError: checkpoint file(s) named in the config do not exist:
          pixpro.model.backbone.init_cfg.checkpoint = 'no/such/r50.pth'
        Download them once where you have network access and put them at that path, point the key at your copy
        (--cfg-options pixpro.model.backbone.init_cfg.checkpoint=PATH), or train from scratch with
        --cfg-options pixpro.model.backbone.init_cfg=None
    """
    missing = []  # (key of the path, key to set to None to do without it, path)
    load_from = cfg.get('load_from')
    if load_from and not _is_remote(load_from) and not osp.isfile(load_from):
        missing.append(('load_from', 'load_from', load_from))
    model = cfg.get('model')
    for key, node in _walk(dict(model=model.to_dict() if isinstance(model, ConfigDict) else model) if model else {}):
        init_cfgs = node.get('init_cfg')
        listed = isinstance(init_cfgs, (list, tuple))
        for i, init in enumerate(init_cfgs if listed else [init_cfgs]):
            if isinstance(init, (dict, ConfigDict)) and init.get('type') == 'Pretrained':
                ckpt = init.get('checkpoint')
                if ckpt and not _is_remote(ckpt) and not osp.isfile(ckpt):
                    init_key = f'{key}.init_cfg' if key else 'init_cfg'
                    missing.append((f'{init_key}.{i}.checkpoint' if listed else f'{init_key}.checkpoint',
                                    init_key, ckpt))
    if missing:
        where = f' ({cfg.filename})' if getattr(cfg, 'filename', None) else ''
        lines = '\n'.join(f'  {option_prefix}{k} = {p!r}' for k, _, p in missing)
        scratch = ' '.join(dict.fromkeys(f'{option_prefix}{k}=None' for _, k, _ in missing))
        raise FileNotFoundError(
            f'checkpoint file(s) named in the config{where} do not exist:\n' + lines +
            '\nDownload them once where you have network access and put them at that path, point the key at your '
            f'copy\n(--cfg-options {option_prefix}{missing[0][0]}=PATH), or train from scratch with\n'
            f'--cfg-options {scratch}')


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
            from densessl.utils.demo_scenes import generate_demo_dataset
            print(f'[densessl] demo data not found in {root}: generating it from Fashion-MNIST (seconds)...',
                  flush=True)
            generate_demo_dataset(root, source=source)
        barrier()
