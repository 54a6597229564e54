"""Distributed training that also works without GPUs.

MMEngine 0.10.7's ``pytorch`` launcher calls ``torch.cuda.set_device`` and wraps the model with
``DistributedDataParallel(device_ids=[local_rank])``; both fail on a CPU-only machine. densessl therefore

* initialises the process group itself before the Runner is built (gloo without CUDA, the config's backend
  otherwise); the Runner then sees an initialised group and skips its own ``init_dist``;
* wraps the model with :class:`DeviceAwareDistributedDataParallel`, which passes ``device_ids=None`` for a CPU
  module and reverts SyncBN (CUDA-only) to plain BN there.
"""
import os
from typing import Optional

import torch
import torch.distributed as torch_dist
from mmengine.dist import is_distributed
from mmengine.model import MMDistributedDataParallel, revert_sync_batchnorm
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS

from densessl.registry import MODEL_WRAPPERS


@MODEL_WRAPPERS.register_module()
class DeviceAwareDistributedDataParallel(MMDistributedDataParallel):
    """:class:`MMDistributedDataParallel` for CPU (gloo) and GPU processes alike.

    On a CPU module ``device_ids`` must be ``None`` (PyTorch rejects a device list there) and SyncBN has no CPU
    kernel, so it is reverted to BatchNorm; gloo still averages gradients, so the replicas stay identical. On a
    CUDA module it behaves exactly like :class:`MMDistributedDataParallel`.
    """

    def __init__(self, module, detect_anomalous_params: bool = False, **kwargs):
        on_cpu = next(module.parameters()).device.type == 'cpu'
        if on_cpu:
            kwargs['device_ids'] = None
            kwargs.pop('output_device', None)
            module = revert_sync_batchnorm(module)
        super().__init__(module=module, detect_anomalous_params=detect_anomalous_params, **kwargs)


# Runner.wrap_model looks the wrapper type up with ``MODEL_WRAPPERS.get`` on MMEngine's root registry, which (unlike
# ``build``) does not descend into child scopes: register it there as well.
if 'DeviceAwareDistributedDataParallel' not in MMENGINE_MODEL_WRAPPERS.module_dict:
    MMENGINE_MODEL_WRAPPERS.register_module(module=DeviceAwareDistributedDataParallel)


def _slurm_env() -> None:
    """Fill torchrun-style variables from SLURM's, as MMEngine's slurm launcher does."""
    os.environ.setdefault('RANK', os.environ['SLURM_PROCID'])
    os.environ.setdefault('WORLD_SIZE', os.environ['SLURM_NTASKS'])
    os.environ.setdefault('LOCAL_RANK', os.environ.get('SLURM_LOCALID', '0'))
    os.environ.setdefault('MASTER_PORT', '29500')
    if 'MASTER_ADDR' not in os.environ:
        import subprocess
        node_list = os.environ['SLURM_NODELIST']
        os.environ['MASTER_ADDR'] = subprocess.getoutput(f'scontrol show hostname {node_list} | head -n1')


def setup_distributed(cfg, launcher: str) -> Optional[str]:
    """Initialise the process group for ``launcher`` when no GPU is available.

    With GPUs nothing is done here: the Runner's own ``init_dist`` (nccl by default) is correct. Without GPUs the
    group is initialised with gloo and the config's model wrapper is switched to
    :class:`DeviceAwareDistributedDataParallel`.

    Args:
        cfg (mmengine.Config): the config (changed in place).
        launcher (str): 'none', 'pytorch' or 'slurm'.

    Returns:
        The backend that was initialised, or ``None`` when the Runner is left to do it.
    """
    if launcher == 'none':
        return None
    wrapper = cfg.get('model_wrapper_cfg') or dict(type='MMDistributedDataParallel')
    if wrapper.get('type') in ('MMDistributedDataParallel', 'mmengine.MMDistributedDataParallel'):
        wrapper['type'] = 'DeviceAwareDistributedDataParallel'
    wrapper.setdefault('broadcast_buffers', False)
    wrapper.setdefault('find_unused_parameters', cfg.get('find_unused_parameters', False))
    cfg.model_wrapper_cfg = wrapper
    if torch.cuda.is_available() or is_distributed():
        return None
    if launcher == 'slurm':
        _slurm_env()
    missing = [k for k in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT') if k not in os.environ]
    if missing:
        raise RuntimeError(f'--launcher {launcher} needs the environment variables {missing}; start the job with '
                           'tools/dist_train.sh (torchrun) or srun')
    torch_dist.init_process_group(backend='gloo', init_method='env://')
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})['backend'] = 'gloo'
    return 'gloo'


def teardown_distributed(wait: bool = True) -> None:
    """Wait for every rank (``wait``; not after an error, where a peer may never arrive), then destroy the default
    process group (no-op when not distributed).

    Without it the gloo process group is torn down by interpreter exit while a peer may still be using it, which
    intermittently aborts a rank with ``terminate called without an active exception`` after a finished run.
    """
    if torch_dist.is_available() and torch_dist.is_initialized():
        if wait:
            torch_dist.barrier()
        torch_dist.destroy_process_group()


def run_then_teardown(main) -> None:
    """Run a tool's ``main()`` and tear the process group down after it (without waiting for peers on error)."""
    try:
        main()
    except BaseException:
        teardown_distributed(wait=False)
        raise
    teardown_distributed()
