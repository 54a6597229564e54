"""tools/analysis/compare_runs.py: work dirs -> one markdown table, mean ± std over seeds."""
import json
import os

import pytest

from tests.helpers.fixtures import load_tool

compare_runs = load_tool('tools/analysis/compare_runs.py')


def _run(root, name, metrics, where='test_metrics.json'):
    d = root / name
    if where == 'scalars':
        log = d / '20260101_000000' / 'vis_data'
        os.makedirs(log)
        lines = [dict(loss=1.0, iter=1), dict(mDice=1.0, iter=2), dict(metrics, iter=4), dict(loss=0.5, iter=5)]
        (log / 'scalars.json').write_text(''.join(json.dumps(r) + '\n' for r in lines))
    else:
        d.mkdir(parents=True)
        (d / where).write_text(json.dumps(metrics))
    return str(d)


def test_table_mean_std_over_seeds(tmp_path):
    dirs = [_run(tmp_path, 'supervised_seed0', dict(mDice=60.0, mHD95=10.0, train_minutes=2.0)),
            _run(tmp_path, 'supervised_seed1', dict(mDice=62.0, mHD95=14.0, train_minutes=4.0), 'metrics.json'),
            _run(tmp_path, 'cutmix_seed0', dict(mDice=70.0, mHD95=5.0), 'scalars')]
    out = tmp_path / 'table.md'
    text = compare_runs.main(dirs + ['--metrics', 'mDice', 'mHD95', '--labels', 'cutmix=CutMix', '--out', str(out)])
    lines = text.splitlines()
    assert lines[0] == '| run | seeds | mDice | mHD95 | per-seed mDice | train min/run |'
    assert lines[2] == '| supervised | 0, 1 | 61.00 ± 1.41 | 12.00 ± 2.83 | 60.00, 62.00 | 3.0 |'
    assert lines[3] == '| CutMix | 0 | 70.00 | 5.00 | 70.00 | - |'  # the last validation record with mDice
    assert out.read_text() == text + '\n'


def test_default_metrics_and_errors(tmp_path):
    d = _run(tmp_path, 'a', dict(mIoU=40.0, aAcc=90.0))
    assert compare_runs.compare([d]).splitlines()[0] == '| run | seeds | mIoU | per-seed mIoU |'
    with pytest.raises(FileNotFoundError, match='no test_metrics.json'):
        compare_runs.compare([str(tmp_path)])
    with pytest.raises(FileNotFoundError, match='work dir not found'):
        compare_runs.compare([str(tmp_path / 'none')])
    with pytest.raises(ValueError, match='none of'):
        compare_runs.compare([_run(tmp_path, 'b', dict(acc=1.0))])
