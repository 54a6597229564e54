from . import hooks, runner  # noqa: F401
from .distributed import DeviceAwareDistributedDataParallel, setup_distributed

__all__ = ['DeviceAwareDistributedDataParallel', 'setup_distributed']
