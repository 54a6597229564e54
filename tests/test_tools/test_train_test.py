"""tools/train.py, tools/test.py and tools/dist_train.sh on a tiny dataset (CPU)."""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch

from tests.helpers.tiny_seg import tiny_seg_config, write_config, write_tiny_seg_data

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tools'))

import test as test_tool  # noqa: E402
import train as train_tool  # noqa: E402


@pytest.fixture(scope='module')
def tiny_data(tmp_path_factory):
    return write_tiny_seg_data(str(tmp_path_factory.mktemp('tiny')))


def _scalars(work_dir):
    logs = []
    for root, _, files in os.walk(work_dir):
        for f in files:
            if f == 'scalars.json':
                with open(osp.join(root, f)) as fh:
                    logs += [json.loads(line) for line in fh]
    return logs


def test_train_then_test_writes_checkpoint_and_metrics(tiny_data, tmp_path):
    cfg = write_config(tiny_seg_config(tiny_data, max_iters=4), str(tmp_path / 'cfg.py'))
    work = str(tmp_path / 'work')
    train_tool.main([cfg, '--work-dir', work])
    assert osp.isfile(osp.join(work, 'iter_4.pth'))
    logs = _scalars(work)
    assert [r['iter'] for r in logs if 'loss' in r] == [1, 2, 3, 4]
    assert all(torch.isfinite(torch.tensor(r['loss'])) for r in logs if 'loss' in r)
    assert sum('mIoU' in r for r in logs) == 2  # validation at iterations 2 and 4
    out = str(tmp_path / 'metrics.json')
    metrics = test_tool.main([cfg, osp.join(work, 'iter_4.pth'), '--work-dir', str(tmp_path / 'test'), '--out', out])
    with open(out) as f:
        saved = json.load(f)
    assert saved == metrics and 0.0 <= saved['mIoU'] <= 100.0


def test_resume_auto_continues_from_last_checkpoint(tiny_data, tmp_path):
    work = str(tmp_path / 'work')
    cfg = write_config(tiny_seg_config(tiny_data, max_iters=2), str(tmp_path / 'cfg.py'))
    train_tool.main([cfg, '--work-dir', work])
    cfg6 = write_config(tiny_seg_config(tiny_data, max_iters=4), str(tmp_path / 'cfg4.py'))
    train_tool.main([cfg6, '--work-dir', work, '--resume'])
    state = torch.load(osp.join(work, 'iter_4.pth'), map_location='cpu', weights_only=False)
    assert state['meta']['iter'] == 4
    trained_iters = [r['iter'] for r in _scalars(work) if 'loss' in r]
    assert trained_iters.count(1) == 1 and trained_iters.count(3) == 1  # iterations 1-2 not repeated


def test_resume_from_explicit_path_and_missing_path(tiny_data, tmp_path):
    work = str(tmp_path / 'work')
    cfg = write_config(tiny_seg_config(tiny_data, max_iters=2), str(tmp_path / 'cfg.py'))
    train_tool.main([cfg, '--work-dir', work])
    cfg4 = write_config(tiny_seg_config(tiny_data, max_iters=4), str(tmp_path / 'cfg4.py'))
    train_tool.main([cfg4, '--work-dir', str(tmp_path / 'other'), '--resume', osp.join(work, 'iter_2.pth')])
    assert torch.load(osp.join(tmp_path, 'other', 'iter_4.pth'), map_location='cpu',
                      weights_only=False)['meta']['iter'] == 4
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        train_tool.main([cfg4, '--work-dir', work, '--resume', str(tmp_path / 'nope.pth')])


def test_missing_pretrained_checkpoint_fails_before_training(tiny_data, tmp_path):
    raw = tiny_seg_config(tiny_data)
    raw['model']['backbone']['init_cfg'] = dict(type='Pretrained', checkpoint=str(tmp_path / 'r18_imagenet.pth'))
    cfg = write_config(raw, str(tmp_path / 'cfg.py'))
    with pytest.raises(FileNotFoundError) as err:
        train_tool.main([cfg, '--work-dir', str(tmp_path / 'work')])
    assert 'r18_imagenet.pth' in str(err.value) and 'model.backbone.init_cfg.checkpoint' in str(err.value)
    assert not osp.exists(osp.join(tmp_path, 'work', 'iter_2.pth'))
    # the advice shows the plain form for a plain config, and works as printed
    assert '(--cfg-options model.backbone.init_cfg.checkpoint=PATH)' in str(err.value)
    advice = str(err.value).rsplit('train from scratch with\n', 1)[1]
    assert advice == '--cfg-options model.backbone.init_cfg=None'
    train_tool.main([cfg, '--work-dir', str(tmp_path / 'work')] + advice.split() + ['train_cfg.max_iters=1'])
    assert osp.isfile(osp.join(tmp_path, 'work', 'iter_1.pth'))


def test_nan_loss_stops_training_with_clear_error(tiny_data, tmp_path):
    raw = tiny_seg_config(tiny_data, max_iters=4)
    raw['model']['data_preprocessor']['std'] = [0., 0., 0.]  # x / 0: inf and NaN inputs
    cfg = write_config(raw, str(tmp_path / 'cfg.py'))
    with pytest.raises(FloatingPointError, match='iteration 1'):
        train_tool.main([cfg, '--work-dir', str(tmp_path / 'work')])


def test_amp_flag_switches_the_optim_wrapper(tiny_data, tmp_path):
    from mmengine.config import Config
    cfg = Config(tiny_seg_config(tiny_data))
    cfg = train_tool.prepare_stage_config(cfg, str(tmp_path), None, amp=True)
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper' and cfg.optim_wrapper.loss_scale == 'dynamic'
    assert any(h['type'] == 'CheckInvalidLossHook' for h in cfg.custom_hooks)


def test_two_process_gloo_training_evaluates_every_val_image_once(tiny_data, tmp_path):
    """tools/dist_train.sh with 2 CPU processes: DDP on gloo, metrics over the 5 val images exactly once."""
    raw = tiny_seg_config(tiny_data, max_iters=2, val_interval=2, metric='RecordingIoUMetric')
    raw['custom_imports'] = dict(imports=['tests.helpers.counting_metric'], allow_failed_imports=False)
    raw['model']['backbone']['norm_cfg'] = dict(type='SyncBN', requires_grad=True)  # reverted on CPU
    cfg = write_config(raw, str(tmp_path / 'cfg.py'))
    record = tmp_path / 'record.jsonl'
    env = dict(os.environ, PYTHON=sys.executable, PORT='29517', OMP_NUM_THREADS='1',
               DENSESSL_TEST_RECORD=str(record), PYTHONPATH=REPO)
    proc = subprocess.run(['bash', osp.join(REPO, 'tools', 'dist_train.sh'), cfg, '2', '--work-dir',
                           str(tmp_path / 'work')], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    lines = record.read_text().splitlines()
    assert len(lines) == 1  # computed once (on rank 0), not once per process
    paths = json.loads(lines[0])
    expected = [osp.join(tiny_data, 'img', n + '.png') for n in open(osp.join(tiny_data, 'val.txt')).read().split()]
    assert sorted(paths) == sorted(expected)
    log = ''.join(open(osp.join(r, f)).read() for r, _, fs in os.walk(tmp_path / 'work') for f in fs
                  if f.endswith('.log'))
    assert 'Distributed training: True' in log and "'backend': 'gloo'" in log
    ckpt = torch.load(osp.join(tmp_path, 'work', 'iter_2.pth'), map_location='cpu', weights_only=False)
    assert not any(k.startswith('module.') for k in ckpt['state_dict'])


def test_runs_of_same_named_configs_in_one_second_keep_their_own_logs(tiny_data, tmp_path, monkeypatch):
    """MMEngine names a Runner's visualizer after the config file and the second it starts, and reuses an
    existing instance of that name: without a unique experiment name the second run logs into the first's dir."""
    import time

    import mmengine.runner.runner as runner_module

    class FrozenClock:  # every Runner starts in the same second
        def __getattr__(self, name):
            return getattr(time, name)

        @staticmethod
        def strftime(fmt, t=None):
            return '20260101_000000'

    monkeypatch.setattr(runner_module, 'time', FrozenClock())
    cfg = write_config(tiny_seg_config(tiny_data, max_iters=2), str(tmp_path / 'cfg.py'))
    for name in ('a', 'b'):
        train_tool.main([cfg, '--work-dir', str(tmp_path / name)])
    for name in ('a', 'b'):
        assert [r['iter'] for r in _scalars(str(tmp_path / name)) if 'loss' in r] == [1, 2]
