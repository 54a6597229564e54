"""register_all_modules alone (a fresh interpreter, nothing else imported) registers every type the configs name;
the albumentations transforms listed inside ``StrongPhotometricAug`` / ``Albu`` exist in albumentations."""
import json
import subprocess
import sys

from tests.helpers.fixtures import REPO_ROOT

_PROBE = r'''
import glob, json, os.path as osp
from mmengine.config import Config
from densessl.utils import register_all_modules
register_all_modules()
import densessl.registry as R
from mmengine.registry import Registry
from mmengine.registry import FUNCTIONS
registries = [v for v in vars(R).values() if isinstance(v, Registry)] + [FUNCTIONS]  # collate functions

import albumentations
ALBU_WRAPPERS = ('StrongPhotometricAug', 'GrayPhotometricAug', 'Albu', 'mmseg.Albu')
RUNNER_KEYS = ('model', 'train_dataloader', 'val_dataloader', 'test_dataloader', 'train_cfg', 'val_cfg', 'test_cfg',
               'val_evaluator', 'test_evaluator', 'optim_wrapper', 'param_scheduler', 'default_hooks', 'custom_hooks',
               'visualizer', 'log_processor', 'model_wrapper_cfg')

def walk(node):
    if isinstance(node, dict):
        t = node.get('type')
        if isinstance(t, str):
            yield t
        for k, v in node.items():
            if t in ALBU_WRAPPERS and k == 'transforms':  # albumentations' own names
                yield from ('albumentations:' + a for a in walk(v))
            else:
                yield from walk(v)
    elif isinstance(node, (list, tuple)):
        for v in node:
            yield from walk(v)

missing = {}
for path in sorted(glob.glob('configs/**/*.py', recursive=True)):
    if '_base_' in path:
        continue
    cfg = Config.fromfile(path)
    if 'stages' in cfg:
        continue
    # what the Runner builds (top-level helper variables such as a list of albumentations transforms are not)
    used = {k: v for k, v in cfg.to_dict().items() if k in RUNNER_KEYS}
    for t in set(walk(used)):
        if t.startswith('albumentations:'):
            if not hasattr(albumentations, t.split(':', 1)[1]):
                missing.setdefault(t, []).append(path)
        elif not any(r.get(t) is not None for r in registries):
            missing.setdefault(t, []).append(path)
print(json.dumps(missing))
'''


def test_every_config_type_is_registered_by_register_all_modules():
    out = subprocess.run([sys.executable, '-c', _PROBE], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    missing = json.loads(out.stdout.strip().splitlines()[-1])
    assert missing == {}, missing
