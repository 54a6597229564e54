"""One source of truth for the algorithms' values (issue 14): the method classes hold their papers' values
(``default_semi_train_cfg`` / ``default_semi_test_cfg``) and a config names a ``semi_train_cfg`` /
``semi_test_cfg`` entry only where it departs from them. Config parsing only."""
import glob
import os.path as osp

from mmengine.config import Config

from densessl.models.segmentors import CutMixSegmentor, UniMatchSegmentor
from tests.helpers.fixtures import REPO_ROOT
from tests.helpers.semi_cfg import merged_semi_cfgs

CONFIGS = sorted(p for p in glob.glob(osp.join(REPO_ROOT, 'configs', '**', '*.py'), recursive=True)
                 if '_base_' not in p)


def _same(a, b) -> bool:
    """Equal as config values (a tuple equals the list with the same items)."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return set(a) == set(b) and all(_same(a[k], b[k]) for k in a)
    return a == b


def restated(user: dict, defaults: dict, prefix: str = '') -> list:
    """The entries of ``user`` that restate ``defaults``: a value equal to its default (``key``), an entry of a
    component of the default's ``type`` equal to the default's (``key.entry``, ``key.type`` included), or a
    replacing component (another ``type`` or ``_delete_=True``) equal to the default as a whole (``key``).

    Examples:
        >>> restated(dict(a=1, m=dict(type='T', x=1, y=3)), dict(a=1, m=dict(type='T', x=1, y=2)))
        ['a', 'm.type', 'm.x']
    """
    out = []
    for key, value in user.items():
        if key == '_delete_' or key not in defaults:  # unknown keys are the merge's error
            continue
        default = defaults[key]
        if isinstance(value, dict) and isinstance(default, dict):
            entries = {k: v for k, v in value.items() if k != '_delete_'}
            if value.get('_delete_') or entries.get('type', default.get('type')) != default.get('type'):
                if _same(entries, default):
                    out.append(prefix + key)
            else:
                out += restated(entries, default, prefix + key + '.')
        elif _same(value, default):
            out.append(prefix + key)
    return out


def test_restated_finds_values_equal_to_the_class_defaults():
    defaults = CutMixSegmentor.default_semi_train_cfg
    user = dict(unsup_weight=1.0, unsup_bn_stats='update', mix=dict(type='ClassMixMask'),
                confidence=dict(type='ConfidenceMask', threshold=0.9, mode='proportion'),
                pseudo_label=dict(_delete_=True, **defaults['pseudo_label']))
    assert restated(user, defaults) == ['unsup_weight', 'confidence.type', 'confidence.mode', 'pseudo_label']
    # a tuple in the class, a list from a config file: the same value
    assert restated(dict(strong_weights=[0.25, 0.25]), UniMatchSegmentor.default_semi_train_cfg) == \
        ['strong_weights']
    assert restated(dict(strong_weights=[0.5, 0.5], seed=0), UniMatchSegmentor.default_semi_train_cfg) == []


def test_no_config_restates_a_class_default():
    """Every semi-supervised config (segmentation and classification) names only deviations from its model class's
    defaults, and its entries merge (no unknown key)."""
    from densessl.registry import MODELS
    from densessl.utils import register_all_modules
    register_all_modules()
    found, offenders = [], {}
    for path in CONFIGS:
        cfg = Config.fromfile(path)
        if 'stages' in cfg:  # a recipe: its stages are configs of their own
            continue
        cls = MODELS.get(cfg.model.type)
        if not hasattr(cls, 'default_semi_train_cfg'):
            continue
        found.append(cls.__name__)
        merged_semi_cfgs(cfg.model)  # raises on an unknown key or a bad value
        bad = restated(cfg.model.get('semi_train_cfg') or {}, cls.default_semi_train_cfg)
        bad += ['semi_test_cfg.' + k for k in restated(cfg.model.get('semi_test_cfg') or {}, cls.default_semi_test_cfg)]
        if bad:
            offenders[osp.relpath(path, REPO_ROOT)] = bad
    assert not offenders, f'configs restating their class defaults (drop these entries): {offenders}'
    for name in ('CutMixSegmentor', 'ClassMixSegmentor', 'FixMatchSegmentor', 'UniMatchSegmentor', 'FixMatch',
                 'MeanTeacher', 'VAT', 'AS3L', 'AlternatingClassifier'):
        assert name in found, name
    assert len(found) > 150
