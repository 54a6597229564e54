"""tools/suggest_labels.py end to end on a tiny pool: every strategy writes a split that partitions the pool, the
selection record and a contact sheet; the same seed gives the same choice; bad input fails before anything is
written, with the file and the problem named."""
import json
import os
import os.path as osp
import sys

import pytest
from PIL import Image

from densessl.datasets.splits import make_split
from tests.test_selection.fixtures import write_tiny_pool

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tools'))
import suggest_labels  # noqa: E402


@pytest.fixture(scope='module')
def pool(tmp_path_factory):
    return write_tiny_pool(str(tmp_path_factory.mktemp('pool')))


def _run(pool, out, *extra, images=None):
    args = [pool['config'], '--checkpoint', pool['ckpt'], '--images', images or pool['split'], '--out', str(out),
            '--region-grid', '2', '--num-workers', '0', '--quiet',
            '--feature-root', osp.join(pool['root'], 'features')]
    return suggest_labels.main(args + list(extra))


def _read(path):
    return open(path).read().split()


@pytest.mark.parametrize('strategy', ['dense', 'kmeans', 'coreset', 'as3l', 'random'])
def test_each_strategy_writes_a_partition_a_record_and_a_sheet(pool, tmp_path, strategy):
    out = tmp_path / strategy
    summary = _run(pool, out, '--budget', '3', '--strategy', strategy)
    labeled, unlabeled = _read(out / 'labeled.txt'), _read(out / 'unlabeled.txt')
    assert len(labeled) == 3 and labeled == sorted(labeled)
    assert not set(labeled) & set(unlabeled)
    assert sorted(labeled + unlabeled) == pool['train_names']
    record = json.load(open(out / 'selection.json'))
    assert record['strategy'] == strategy and record['budget'] == 3 and record['pool_size'] == 12
    assert sorted(c['name'] for c in record['chosen']) == labeled
    if strategy != 'random':
        assert record['checkpoint'] == pool['ckpt'] and record['features']['dim'] == 64
    if strategy in ('kmeans', 'coreset'):
        assert len(record['chosen'][0]) > 3 and 'distance' in record['chosen'][0]
        assert sum(c['cluster_size'] for c in record['chosen']) == 12
    if strategy == 'dense':
        assert 'gain' in record['chosen'][0] and sum(record['details']['word_sizes']) == 12 * 4
    with Image.open(out / 'selection.png') as sheet:  # 3 thumbnails of 96 px in a row, a title line above
        assert sheet.size == (3 * 100 + 4, 16 + 112 + 4)
    assert summary['labeled'] == labeled


def test_same_seed_same_choice_and_random_matches_make_splits(pool, tmp_path):
    a = _run(pool, tmp_path / 'a', '--budget', '4', '--strategy', 'dense', '--seed', '1')
    b = _run(pool, tmp_path / 'b', '--budget', '4', '--strategy', 'dense', '--seed', '1')
    assert a['labeled'] == b['labeled']
    assert a['features']['feature_dir'] == b['features']['feature_dir']  # the cached features were reused
    r = _run(pool, tmp_path / 'r', '--budget', '25%', '--strategy', 'random', '--seed', '2')
    assert r['labeled'] == make_split(pool['train_names'], num_labeled=3, seed=2)[0]


def test_a_folder_pool_and_a_checkpoint_with_its_config(pool, tmp_path):
    out = tmp_path / 'folder'
    summary = suggest_labels.main([pool['ckpt'], '--images', pool['img_dir'], '--budget', '2', '--strategy',
                                   'coreset', '--out', str(out), '--region-grid', '2', '--num-workers', '0',
                                   '--quiet', '--no-feature-cache'])
    assert summary['pool_size'] == len(pool['all_names']) and summary['features']['feature_dir'] is None
    assert sorted(_read(out / 'labeled.txt') + _read(out / 'unlabeled.txt')) == pool['all_names']


@pytest.mark.parametrize('extra, error, match', [
    (['--budget', '0'], ValueError, 'at least 1 image'),
    (['--budget', '13'], ValueError, r'larger than the pool \(12 images\)'),
    (['--budget', '2', '--checkpoint', 'PLACEHOLDER_HEAD'], ValueError, 'head_only.pth holds no weights'),
])
def test_bad_budget_or_checkpoint_fails_before_writing(pool, tmp_path, extra, error, match):
    out = tmp_path / 'out'
    extra = [pool['head'] if e == 'PLACEHOLDER_HEAD' else e for e in extra]
    args = [pool['config']] + (['--checkpoint', pool['ckpt']] if '--checkpoint' not in extra else []) + extra + [
        '--images', pool['split'], '--out', str(out), '--quiet', '--num-workers', '0', '--no-feature-cache']
    with pytest.raises(error, match=match):
        suggest_labels.main(args)
    assert not out.exists()


def test_empty_folder_missing_files_and_existing_split(pool, tmp_path):
    empty = tmp_path / 'empty'
    empty.mkdir()
    with pytest.raises(ValueError, match='no image'):
        _run(pool, tmp_path / 'o1', '--budget', '1', images=str(empty))
    with pytest.raises(FileNotFoundError, match='images not found: .*nowhere'):
        _run(pool, tmp_path / 'o2', '--budget', '1', images=str(tmp_path / 'nowhere'))
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        suggest_labels.main([pool['config'], '--checkpoint', str(tmp_path / 'missing.pth'), '--images',
                             pool['split'], '--budget', '1', '--out', str(tmp_path / 'o3')])
    with pytest.raises(ValueError, match='carries no config'):
        suggest_labels.main([pool['backbone'], '--images', pool['split'], '--budget', '1', '--out',
                             str(tmp_path / 'o4')])
    assert not any(osp.exists(tmp_path / f'o{i}') for i in range(1, 5))
    out = tmp_path / 'o5'
    _run(pool, out, '--budget', '2', '--strategy', 'random')
    with pytest.raises(FileExistsError, match='--overwrite'):
        _run(pool, out, '--budget', '2', '--strategy', 'random')
    _run(pool, out, '--budget', '3', '--strategy', 'random', '--overwrite')
    assert len(_read(out / 'labeled.txt')) == 3


def test_command_line_prints_the_error_not_a_traceback(pool, tmp_path):
    import subprocess
    proc = subprocess.run([sys.executable, osp.join(REPO, 'tools', 'suggest_labels.py'), pool['config'],
                           '--checkpoint', pool['ckpt'], '--images', pool['split'], '--budget', '0', '--out',
                           str(tmp_path / 'x')], capture_output=True, text=True, cwd=REPO,
                          env=dict(os.environ, PYTHONPATH=REPO))
    assert proc.returncode == 1
    assert 'suggest_labels.py: error: budget must be at least 1 image' in proc.stderr
    assert 'Traceback' not in proc.stderr
