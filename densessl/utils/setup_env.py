"""Registration of every module densessl builds from configs."""
import datetime
import os.path as osp
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import every module that registers something, in densessl and in its parents.

    A lookup that falls through to a parent registry (mmseg, mmengine) does not trigger the parent's lazy
    imports, so mmseg's and mmpretrain's modules are imported here explicitly.

    Args:
        init_default_scope (bool): make ``'densessl'`` the current default scope. If another scope is current,
            a new uniquely named ``densessl`` scope instance is created and a warning is printed.
    """
    import mmseg.datasets  # noqa: F401
    import mmseg.engine  # noqa: F401
    import mmseg.evaluation  # noqa: F401
    import mmseg.models  # noqa: F401
    import mmseg.structures  # noqa: F401
    import mmseg.visualization  # noqa: F401
    import mmpretrain.datasets  # noqa: F401
    import mmpretrain.engine  # noqa: F401
    import mmpretrain.evaluation  # noqa: F401
    import mmpretrain.models  # noqa: F401

    import densessl.datasets  # noqa: F401
    import densessl.engine  # noqa: F401
    import densessl.evaluation  # noqa: F401
    import densessl.models  # noqa: F401

    if init_default_scope:
        never_created = (DefaultScope.get_current_instance() is None
                         or not DefaultScope.check_instance_created('densessl'))
        if never_created:
            DefaultScope.get_instance('densessl', scope_name='densessl')
            return
        current_scope = DefaultScope.get_current_instance()
        if current_scope.scope_name != 'densessl':
            warnings.warn(f'The current default scope "{current_scope.scope_name}" is not "densessl", '
                          '`register_all_modules` will force the current default scope to be "densessl". '
                          'If this is not expected, please set `init_default_scope=False`.')
            new_instance_name = f'densessl-{datetime.datetime.now()}'
            DefaultScope.get_instance(new_instance_name, scope_name='densessl')


_runners_named = [0]


def unique_experiment_name(cfg) -> None:
    """Give the Runner about to be built from ``cfg`` an experiment name no earlier Runner of this process used.

    MMEngine names a Runner's logger, message hub and visualizer ``<config file name>_<timestamp to the second>``
    and reuses an existing instance of that name. Two Runners of same-named configs built in one process within one
    second (recipe stages, back-to-back runs, tests) would share the first one's visualizer and write their logs into
    its work dir. The first Runner of a process keeps MMEngine's name; later ones get ``_run<k>`` appended (the same
    on every rank, which runs the same sequence). A visualizer with a fixed ``name`` (mmseg's and mmpretrain's
    default runtimes say ``name='visualizer'``) would be shared the same way, whatever the experiment name: later
    Runners get ``_run<k>`` appended to it too.

    Args:
        cfg (Config): the config the Runner is built from; ``experiment_name`` (and ``visualizer.name``) are set in
            place.
    """
    _runners_named[0] += 1
    if _runners_named[0] > 1:
        k = _runners_named[0]
        base = cfg.get('experiment_name') or osp.splitext(osp.basename(cfg.filename or 'config'))[0]
        cfg.experiment_name = f'{base}_run{k}'
        visualizer = cfg.get('visualizer')
        if isinstance(visualizer, dict) and visualizer.get('name'):
            visualizer['name'] = f"{visualizer['name']}_run{k}"
