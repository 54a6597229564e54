import os

import pytest

from densessl.utils.fileio import atomic_dir


def test_atomic_dir_replaces_an_existing_folder_on_success(tmp_path):
    root = tmp_path / 'data'
    root.mkdir()
    (root / 'old.txt').write_text('old')
    with atomic_dir(str(root)) as tmp:
        assert os.path.dirname(tmp) == str(tmp_path) and tmp != str(root)
        (tmp_path / os.path.basename(tmp) / 'new.txt').write_text('new')
        assert (root / 'old.txt').exists()  # nothing changes until the block ends
    assert sorted(os.listdir(root)) == ['new.txt']
    assert sorted(os.listdir(tmp_path)) == ['data']


def test_atomic_dir_leaves_the_old_folder_and_no_temporary_on_error(tmp_path):
    root = tmp_path / 'data'
    root.mkdir()
    (root / 'old.txt').write_text('old')
    with pytest.raises(RuntimeError, match='interrupted'):
        with atomic_dir(str(root), prefix='.x-') as tmp:
            open(os.path.join(tmp, 'half.txt'), 'w').close()
            raise RuntimeError('interrupted')
    assert sorted(os.listdir(root)) == ['old.txt']
    assert sorted(os.listdir(tmp_path)) == ['data']
