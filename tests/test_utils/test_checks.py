"""check_checkpoints: which missing files stop a run, and the --cfg-options its message advises."""
import re

import pytest
from mmengine.config import Config

from densessl.utils import check_checkpoints


def _pretrained(path):
    return dict(type='Pretrained', checkpoint=path)


def _advice(err):
    msg = str(err.value)
    point = re.search(r'\(--cfg-options (\S+)=PATH\)', msg).group(1)
    scratch = re.search(r'train from scratch with\n--cfg-options (.*)$', msg).group(1).split()
    return point, scratch


def test_every_missing_file_of_the_model_is_listed_with_keys_in_cfg_options_form(tmp_path):
    present = tmp_path / 'here.pth'
    present.write_bytes(b'x')
    cfg = Config(dict(
        load_from=str(tmp_path / 'run' / 'iter_100.pth'),
        model=dict(backbone=dict(init_cfg=_pretrained(str(tmp_path / 'r50.pth'))),
                   decode_head=dict(init_cfg=[dict(type='Normal', std=0.01), _pretrained(str(tmp_path / 'h.pth'))]),
                   neck=dict(init_cfg=_pretrained(str(present))),
                   auxiliary_head=dict(init_cfg=_pretrained('https://example.org/w.pth')))))
    with pytest.raises(FileNotFoundError) as err:
        check_checkpoints(cfg)
    listed = re.findall(r'^  (\S+) = ', str(err.value), re.M)
    assert listed == ['load_from', 'model.backbone.init_cfg.checkpoint', 'model.decode_head.init_cfg.1.checkpoint']
    point, scratch = _advice(err)
    assert point == 'load_from'
    assert scratch == ['load_from=None', 'model.backbone.init_cfg=None', 'model.decode_head.init_cfg=None']
    # following the advice leaves nothing to complain about
    cfg.merge_from_dict({k: None for k in (s.split('=')[0] for s in scratch)})
    check_checkpoints(cfg)


def test_stage_prefix_and_config_file_in_the_message(tmp_path):
    path = tmp_path / 'stage.py'
    path.write_text(f"model = dict(backbone=dict(init_cfg=dict(type='Pretrained', checkpoint='{tmp_path}/no.pth')))\n")
    with pytest.raises(FileNotFoundError, match=re.escape(str(path))) as err:
        check_checkpoints(Config.fromfile(str(path)), option_prefix='pixpro.')
    assert _advice(err) == ('pixpro.model.backbone.init_cfg.checkpoint', ['pixpro.model.backbone.init_cfg=None'])


def test_helper_variables_outside_model_are_not_checked(tmp_path):
    """A config that builds ``model`` from a helper dict and then replaces the init (as the CutMix PixPro configs
    do) leaves the helper's stale file name behind; the Runner never reads it."""
    cfg = Config(dict(segmentor=dict(backbone=dict(init_cfg=_pretrained(str(tmp_path / 'stale.pth')))),
                      model=dict(segmentor=dict(backbone=dict(init_cfg=None)))))
    check_checkpoints(cfg)
