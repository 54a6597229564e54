"""tools/misc/make_demo_data.py: the demo scenes and their split files, then nothing to do on a second run."""
import os
import os.path as osp

import pytest

from tests.helpers.demo_data import fake_fmnist
from tests.helpers.fixtures import load_tool


@pytest.fixture
def fmnist(tmp_path):
    return fake_fmnist(str(tmp_path / 'fmnist'))


def test_tool_makes_data_and_splits_then_is_idempotent(tmp_path, fmnist, capsys):
    tool = load_tool('tools/misc/make_demo_data.py')
    out, splits = str(tmp_path / 'demo'), str(tmp_path / 'splits')
    args = ['--out', out, '--fmnist-root', fmnist, '--num-train', '100', '--num-val', '2', '--size', '32',
            '--splits-out', splits]
    tool.main(args)
    for setting, n in (('1pct', 1), ('2pct', 2), ('5pct', 5), ('10pct', 10)):
        labeled = open(osp.join(splits, 'demo', setting, 'labeled.txt')).read().split()
        unlabeled = open(osp.join(splits, 'demo', setting, 'unlabeled.txt')).read().split()
        assert len(labeled) == n and len(unlabeled) == 100 - n and not set(labeled) & set(unlabeled)
    mtime = os.path.getmtime(osp.join(out, 'demo_params.json'))
    tool.main(args)
    assert 'up to date' in capsys.readouterr().out
    assert os.path.getmtime(osp.join(out, 'demo_params.json')) == mtime
    with pytest.raises(SystemExit, match='other parameters'):
        tool.main(args[:-4] + ['--size', '40', '--splits-out', splits])
