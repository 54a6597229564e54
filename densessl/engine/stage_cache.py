"""A machine-wide cache of finished recipe stages: ``cache=True`` in a recipe's stage dict.

A stage whose result does not depend on the experiment around it (the demo's stand-in for the ImageNet weights,
``configs/pixpro_demo_5pct.py``'s stage ``source``) trains once per machine; later runs copy its result into their
work dir, as ``tools/setup_env.sh`` builds the mmcv wheel once::

    stage config (all overrides applied) ---------+
    its data: split files (content); demo scenes: |
      the generator's source + demo_params.json   +--> stage_cache_key --> $DENSESSL_CACHE/stages/<name>-<key>/
    checkpoints it starts from (content)          |      (~/.cache/densessl          entry.json, final checkpoint,
    world size, AMP, torch/mm* versions ----------+       unless set)                config dump, logs
                                                                                            |
      hit:  restore_entry copies it into <work_dir>/<name>/ (+ last_checkpoint), the recipe writes stage_done.json:
            the backbone hand-off and --resume see a finished stage
      miss: the stage trains, then store_entry copies it into a temp folder renamed to <name>-<key>/ once complete,
            so an interrupted write is never found

``DENSESSL_STAGE_CACHE`` selects the mode: ``on`` (default), ``refresh`` (train again and replace the entry),
``off`` (neither read nor write). Deleting an entry's folder forces the same as ``refresh`` for that stage. The
key does not cover densessl's own code: after changing a model or training code a cached stage uses, refresh it.
"""
import hashlib
import inspect
import json
import os
import os.path as osp
import shutil
import tempfile
import time
from typing import Optional, Tuple

from mmengine.config import Config

#: the environment variable that selects the cache mode, and its values
CACHE_ENV = 'DENSESSL_STAGE_CACHE'
CACHE_MODES = ('on', 'refresh', 'off')
#: bump when the entry layout or the key's inputs change (old entries are then never found)
CACHE_FORMAT = 1
_ENTRY_FILE = 'entry.json'


def cache_mode(value: Optional[str] = None) -> str:
    """The cache mode: ``'on'`` (unset, ``1``), ``'refresh'`` or ``'off'`` (``0``).

    Args:
        value (str, optional): the setting. Defaults to ``$DENSESSL_STAGE_CACHE``.

    Examples:
        >>> cache_mode('refresh'), cache_mode('0'), cache_mode('')
        ('refresh', 'off', 'on')
        >>> cache_mode('sometimes')
        Traceback (most recent call last):
        ...
        ValueError: DENSESSL_STAGE_CACHE='sometimes': use on, refresh or off
    """
    raw = os.environ.get(CACHE_ENV, '') if value is None else value
    mode = raw.strip().lower()
    mode = {'': 'on', '1': 'on', 'true': 'on', '0': 'off', 'false': 'off'}.get(mode, mode)
    if mode not in CACHE_MODES:
        raise ValueError(f'{CACHE_ENV}={raw!r}: use {", ".join(CACHE_MODES[:-1])} or {CACHE_MODES[-1]}')
    return mode


def cache_dir() -> str:
    """``$DENSESSL_CACHE/stages`` (default ``~/.cache/densessl/stages``), next to the venv and the mmcv wheel."""
    root = os.environ.get('DENSESSL_CACHE') or osp.join(osp.expanduser('~'), '.cache', 'densessl')
    return osp.join(root, 'stages')


def file_digest(path: str) -> str:
    """``'sha256:<hex>'`` of a file's content."""
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            h.update(block)
    return 'sha256:' + h.hexdigest()


def _plain(node):
    """JSON-ready copy with string keys (so ``sort_keys`` never compares an int with a str)."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return [_plain(v) for v in node]
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    return repr(node)


def _walk(node, path=''):
    if isinstance(node, dict):
        yield path, node
        for k, v in node.items():
            yield from _walk(v, f'{path}.{k}' if path else k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, f'{path}.{i}' if path else str(i))


def _demo_generator_digest() -> str:
    from densessl.utils import demo_scenes
    return 'sha256:' + hashlib.sha256(inspect.getsource(demo_scenes).encode()).hexdigest()


def stage_cache_key(cfg: Config, context: Optional[dict] = None) -> Tuple[str, dict]:
    """The key of a stage's result, and what it was computed from.

    The inputs: the stage config's full dump (without ``work_dir``/``resume``/``launcher``, which say where and
    how to run, not what), where every local checkpoint it starts from (``load_from``, ``init_cfg.checkpoint``) is
    replaced by its content digest, so a backbone handed over from an earlier stage is keyed by its weights; the
    content of every split file (``ann_file``) it reads; for the embedded demo scenes, the generator module's
    source digest and the parameters in ``<data_root>/demo_params.json``; the world size, the library versions,
    and ``context`` (what the caller changes outside the config, e.g. ``{'amp': True}``).

    Args:
        cfg (Config): the stage config, with every override applied; its demo data must exist
            (:func:`densessl.utils.ensure_demo_data_for`).
        context (dict, optional): further facts that change the result.

    Returns:
        tuple[str, dict]: 16 hex digits, and the inputs (stored with the entry, to see why a key changed).

    Raises:
        FileNotFoundError: a demo data root without its ``demo_params.json``.

    Examples:
        >>> from mmengine.config import Config
        >>> key, inputs = stage_cache_key(Config(dict(train_cfg=dict(max_iters=10), work_dir='a')))
        >>> key == stage_cache_key(Config(dict(train_cfg=dict(max_iters=10), work_dir='b')))[0]
        True
        >>> key == stage_cache_key(Config(dict(train_cfg=dict(max_iters=20))))[0]
        False
        >>> len(key), inputs['config']['train_cfg']
        (16, {'max_iters': 10})
    """
    from mmengine.dist import get_world_size

    from densessl.utils.checks import DEMO_DATASET_TYPES

    config = _plain(cfg.to_dict() if isinstance(cfg, Config) else dict(cfg))
    for k in ('work_dir', 'resume', 'launcher'):
        config.pop(k, None)
    if isinstance(config.get('load_from'), str) and osp.isfile(config['load_from']):
        config['load_from'] = file_digest(config['load_from'])
    splits, demo = {}, {}
    for path, node in _walk(config):
        if node.get('type') == 'Pretrained' and isinstance(node.get('checkpoint'), str) \
                and osp.isfile(node['checkpoint']):
            node['checkpoint'] = file_digest(node['checkpoint'])
        ann = node.get('ann_file')
        if isinstance(ann, str) and ann:
            root = node.get('data_root') or ''
            full = ann if osp.isabs(ann) or not root else osp.join(root, ann)
            if osp.isfile(full):
                splits[f'{path}.ann_file' if path else 'ann_file'] = file_digest(full)
        if node.get('type') in DEMO_DATASET_TYPES and node.get('data_root'):
            params_file = osp.join(node['data_root'], 'demo_params.json')
            if not osp.isfile(params_file):
                raise FileNotFoundError(f'{params_file} is missing: make the demo data first '
                                        '(python tools/misc/make_demo_data.py [--source])')
            with open(params_file) as f:
                params = json.load(f)
            params.pop('fmnist_root', None)  # where Fashion-MNIST lies on this machine, not what it holds
            demo[node['data_root']] = params
    versions = {}
    for module in ('torch', 'mmcv', 'mmengine', 'mmseg', 'mmpretrain'):
        try:
            versions[module] = __import__(module).__version__
        except ImportError:
            pass
    inputs = dict(format=CACHE_FORMAT, config=config, split_files=splits,
                  demo_data=dict(generator=_demo_generator_digest(), params=demo) if demo else {},
                  world_size=get_world_size(), versions=versions, context=_plain(context or {}))
    text = json.dumps(inputs, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16], inputs


def entry_path(name: str, key: str, root: Optional[str] = None) -> str:
    return osp.join(root or cache_dir(), f'{name}-{key}')


def find_entry(name: str, key: str, root: Optional[str] = None) -> Tuple[Optional[dict], str]:
    """The complete entry of stage ``name`` with ``key``, or ``None`` and why not.

    Returns:
        tuple[dict | None, str]: the entry (``entry.json``'s content plus its ``path``) and ``''``; or ``None`` and
        ``''`` when there is none, ``None`` and the problem when a folder of that name is incomplete.
    """
    path = entry_path(name, key, root)
    if not osp.isdir(path):
        return None, ''
    try:
        with open(osp.join(path, _ENTRY_FILE)) as f:
            entry = json.load(f)
    except (OSError, ValueError) as e:
        return None, f'{_ENTRY_FILE} unreadable ({e.__class__.__name__}: {e})'
    ckpt = osp.join(path, entry.get('checkpoint', ''))
    if entry.get('key') != key:
        return None, f'{_ENTRY_FILE} has key {entry.get("key")!r}, not {key!r}'
    if not osp.isfile(ckpt) or osp.getsize(ckpt) != entry.get('checkpoint_bytes'):
        return None, f'checkpoint {ckpt} missing or not {entry.get("checkpoint_bytes")} bytes'
    entry['path'] = path
    return entry, ''


def _copy(src: str, dst: str) -> None:
    """Copy a file or folder (a copy, never a link: MMEngine rewrites checkpoints in place)."""
    if osp.isdir(src):
        shutil.copytree(src, dst, dirs_exist_ok=True)
    else:
        tmp = dst + '.tmp'
        shutil.copy2(src, tmp)
        os.replace(tmp, dst)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale_temps(root: str, name: str, key: str) -> None:
    """Remove the temp folders of writes of this entry whose process has died (killed mid-write)."""
    prefix = f'.tmp-{name}-{key}-'
    for d in os.listdir(root):
        if d.startswith(prefix):
            pid = d[len(prefix):].split('-')[0]
            if pid.isdigit() and not _pid_alive(int(pid)):
                shutil.rmtree(osp.join(root, d), ignore_errors=True)


def store_entry(name: str, key: str, inputs: dict, stage_dir: str, checkpoint: str, info: dict,
                root: Optional[str] = None) -> str:
    """Copy a finished stage into the cache: its final checkpoint, config dump and log folders.

    Written into a temp folder, ``entry.json`` last, then renamed to ``<name>-<key>``: a write that dies half-way
    leaves only a temp folder, which :func:`find_entry` never reads. An existing entry of the key is replaced.

    Args:
        name, key, inputs: the stage's name and :func:`stage_cache_key`'s result.
        stage_dir (str): the stage's work dir.
        checkpoint (str): its final checkpoint (inside ``stage_dir``).
        info (dict): more facts for ``entry.json`` (training seconds, metrics, config file, ...).
        root (str, optional): the cache folder. Defaults to :func:`cache_dir`.

    Returns:
        str: the entry's folder.
    """
    root = root or cache_dir()
    os.makedirs(root, exist_ok=True)
    _remove_stale_temps(root, name, key)
    final = entry_path(name, key, root)
    tmp = tempfile.mkdtemp(prefix=f'.tmp-{name}-{key}-{os.getpid()}-', dir=root)
    try:
        ckpt_name = osp.basename(checkpoint)
        for item in sorted(os.listdir(stage_dir)):
            src = osp.join(stage_dir, item)
            if item in ('stage_done.json', 'last_checkpoint') or item.endswith('.tmp') or \
                    (item.endswith('.pth') and item != ckpt_name):
                continue  # the recipe's own files, and the checkpoints other than the final one
            _copy(src, osp.join(tmp, item))
        if not osp.isfile(osp.join(tmp, ckpt_name)):
            raise FileNotFoundError(f'{checkpoint} is not inside {stage_dir}')
        entry = dict(info, key=key, name=name, checkpoint=ckpt_name,
                     checkpoint_bytes=osp.getsize(osp.join(tmp, ckpt_name)),
                     created=time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime()), inputs=inputs)
        with open(osp.join(tmp, _ENTRY_FILE), 'w') as f:
            json.dump(entry, f, indent=2)
        old = None
        if osp.exists(final):
            old = tempfile.mkdtemp(prefix=f'.old-{name}-{key}-', dir=root)
            os.replace(final, osp.join(old, 'entry'))
        os.replace(tmp, final)
        if old:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def restore_entry(entry: dict, stage_dir: str) -> str:
    """Copy a cached stage into ``stage_dir`` and point ``last_checkpoint`` at it; returns the checkpoint's path."""
    os.makedirs(stage_dir, exist_ok=True)
    for item in sorted(os.listdir(entry['path'])):
        if item != _ENTRY_FILE:
            _copy(osp.join(entry['path'], item), osp.join(stage_dir, item))
    ckpt = osp.abspath(osp.join(stage_dir, entry['checkpoint']))
    with open(osp.join(stage_dir, 'last_checkpoint'), 'w') as f:
        f.write(ckpt)
    return ckpt
