"""Local checkpoint loading that works with torch >= 2.6 and names the file when it is unreadable.

torch 2.6 made ``torch.load(weights_only=True)`` the default. MMEngine 0.10.7's local loader calls ``torch.load``
without the argument, so every MMEngine checkpoint (it pickles the message hub's ``HistoryBuffer`` and numpy
arrays) fails to load — ``--resume``, ``load_from`` and ``tools/test.py`` all break. densessl re-registers the
local scheme: files the user names are loaded as MMEngine always loaded them (``weights_only=False``: only load
checkpoints you trust), and a truncated or foreign file raises an error that names it.
"""
import os.path as osp

import torch
from mmengine.runner.checkpoint import CheckpointLoader


def load_local_checkpoint(filename: str, map_location=None):
    """Load a local checkpoint file.

    Raises:
        FileNotFoundError: the file does not exist.
        RuntimeError: the file exists but is not a readable PyTorch checkpoint (message names the file).
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint not found: {filename}')
    try:
        return torch.load(filename, map_location=map_location, weights_only=False)
    except Exception as err:  # pickle/zip/EOF errors all mean the same to the user
        raise RuntimeError(f'cannot read checkpoint {filename}: the file is corrupt, truncated or not a PyTorch '
                           f'checkpoint ({type(err).__name__}: {err})') from err


CheckpointLoader.register_scheme(prefixes='', loader=load_local_checkpoint, force=True)
