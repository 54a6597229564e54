"""Writing a folder all at once: into a temporary sibling, then renamed into place, so that an interrupted writer
never leaves a half-written dataset behind."""
import os
import os.path as osp
import shutil
import tempfile
from contextlib import contextmanager
from typing import Iterator

__all__ = ['atomic_dir', 'atomic_write_text']


@contextmanager
def atomic_dir(out_root: str, prefix: str = '.tmp-') -> Iterator[str]:
    """Yield a temporary folder next to ``out_root``; on success it replaces ``out_root`` (an existing one is
    removed first), on any error it is deleted and ``out_root`` is left as it was.

    Args:
        out_root (str): the folder to write.
        prefix (str): name prefix of the temporary folder.

    Examples:
        >>> root = os.path.join(tempfile.mkdtemp(), 'data')
        >>> with atomic_dir(root) as tmp:
        ...     open(os.path.join(tmp, 'a.txt'), 'w').close()
        >>> os.listdir(root)
        ['a.txt']
    """
    parent = osp.dirname(osp.abspath(out_root))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=prefix, dir=parent)
    try:
        yield tmp
        if osp.exists(out_root):
            shutil.rmtree(out_root)
        os.replace(tmp, out_root)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def atomic_write_text(path: str, text: str) -> None:
    """Write ``text`` to ``path`` through ``<path>.tmp`` and a rename, so a reader never sees half a file.

    Examples:
        >>> path = os.path.join(tempfile.mkdtemp(), 'a.txt')
        >>> atomic_write_text(path, 'x')
        >>> open(path).read(), os.listdir(os.path.dirname(path))
        ('x', ['a.txt'])
    """
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        f.write(text)
    os.replace(tmp, path)
