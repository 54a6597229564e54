"""Experiments as recipes: every run of an experiment script (``tools/experiments/*.py``) is a recipe that
``tools/train.py`` runs in the run's own folder; finished runs are skipped; results are tabulated over seeds.

::

    experiment script, for every (setting, method, seed):
      Experiment.run(run_dir, stages, options)
        run_dir/<result file> exists ------------------------------------------------> its metrics (skipped)
        --table-only ----------------------------------------------------------------> None
        write_recipe(run_dir/recipe.py, stages)   earlier stages name their folder, shared with other runs
                                                  (e.g. '../../source': a pretraining all runs start from);
                                                  the last stage runs in run_dir itself
        python tools/train.py run_dir/recipe.py --work-dir run_dir --resume --cfg-options STAGE.KEY=VALUE ...
            stdout + stderr appended to run_dir/run.log; OMP_NUM_THREADS as the script set it
            the recipe runner skips finished stages (a shared one trains once), hands each backbone over,
            and evaluates the last stage: run_dir/test_metrics.json (+ test_metrics_per_class.json / .csv)
        collect(run_dir, stage_done) -> run_dir/<result file>  (default: the test metrics + train_minutes)
    table: runs grouped by method (the folder name without _seed<k>) -> mean ± std over seeds of each metric
           (markdown_table; tools/analysis/compare_runs.py is its command line)

A stage folder written before the experiment scripts ran recipes (``backbone.pth``, ``last_checkpoint``,
``time.json``, no ``stage_done.json``) is adopted as a finished stage that hands over that very ``backbone.pth``
(:func:`adopt_finished_stage`), so runs made before and after start from the same weights.
"""
import glob
import json
import math
import os
import os.path as osp
import re
import statistics
import subprocess
import sys
import time
from collections import OrderedDict
from pprint import pformat
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

from densessl.utils.fileio import atomic_write_text
from .recipe import BACKBONE_FILE, last_checkpoint, read_stage_done, stage_folder, write_stage_done

__all__ = [
    'Experiment', 'write_recipe', 'recipe_stages', 'adopt_finished_stage', 'option_strings', 'train_recipe',
    'load_run_metrics', 'run_name', 'mean_std', 'group_runs', 'markdown_table', 'write_table', 'compare',
    'DEFAULT_METRICS'
]

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SEED_SUFFIX = re.compile(r'[_-]?seed(\d+)$')
DEFAULT_METRICS = ('mIoU', 'mDice', 'mHD95')


# ------------------------------------------------------------------------------------------------------ running
def write_recipe(path: str, stages: Sequence[dict], evaluate: bool = True, comment: str = '') -> str:
    """Write a recipe config (``stages`` and ``evaluate``, see :mod:`densessl.engine.recipe`) as a Python file.

    Args:
        path (str): the ``.py`` file to write.
        stages (sequence[dict]): the stage specs; values must be Python literals (str, numbers, bool, None, lists,
            tuples, dicts).
        evaluate (bool): test the last stage when it has finished.
        comment (str): a first comment line (what the recipe is).

    Returns:
        str: ``path``.

    Examples:
        >>> import tempfile
        >>> from mmengine.config import Config
        >>> path = write_recipe(osp.join(tempfile.mkdtemp(), 'recipe.py'),
        ...                     [dict(name='a', config='/x/a.py', cfg_options={'train_cfg.max_iters': 4})])
        >>> Config.fromfile(path).stages[0]['cfg_options']['train_cfg.max_iters']
        4
    """
    lines = [f'# {comment}'] if comment else []
    lines += [f'stages = {pformat(list(stages), width=110, sort_dicts=False)}', f'evaluate = {bool(evaluate)!r}', '']
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    atomic_write_text(path, '\n'.join(lines))
    return path


def recipe_stages(recipe_file: str) -> List[dict]:
    """The stages of a recipe file as plain dicts, their ``config`` paths made absolute (to write a recipe derived
    from it elsewhere with :func:`write_recipe`).

    Raises:
        ValueError: the file is not a recipe (no ``stages``).
    """
    from mmengine.config import Config
    cfg = Config.fromfile(recipe_file)
    if 'stages' not in cfg:
        raise ValueError(f'{recipe_file} is not a recipe (it has no `stages`)')
    here = osp.dirname(osp.abspath(recipe_file))
    stages = []
    for spec in cfg.to_dict()['stages']:
        spec = dict(spec)
        if not osp.isabs(spec['config']):
            spec['config'] = osp.normpath(osp.join(here, spec['config']))
        stages.append(spec)
    return stages


def adopt_finished_stage(folder: str, config: str, cfg_options: Optional[dict] = None,
                         backbone: str = BACKBONE_FILE) -> bool:
    """Make a stage folder written by an experiment script before the scripts ran recipes a finished recipe stage.

    Such a folder holds its final checkpoint (named in ``last_checkpoint``), the backbone extracted from it
    (``backbone.pth``) and its wall time (``time.json``), but no ``stage_done.json``. This writes one that names
    that backbone file, which the recipe runner then hands to the next stage as it is: runs made before and after
    the change start from the same weights.

    Args:
        folder (str): the stage folder.
        config (str): the stage's config file (for the record).
        cfg_options (dict, optional): the overrides the recipes now give that stage (``{key: value}``): recorded as
            those it finished with, so the runner does not report them as changed.
        backbone (str): the extracted backbone's file name inside ``folder``.

    Returns:
        bool: whether ``stage_done.json`` was written (``False``: already a recipe stage, or nothing finished there).
    """
    if read_stage_done(folder) is not None or not osp.isfile(osp.join(folder, backbone)):
        return False
    try:
        ckpt = last_checkpoint(folder)
    except FileNotFoundError:
        ckpt = osp.abspath(osp.join(folder, backbone))
    seconds = None
    if osp.isfile(osp.join(folder, 'time.json')):
        with open(osp.join(folder, 'time.json')) as f:
            seconds = json.load(f).get('seconds')
    write_stage_done(folder, dict(checkpoint=ckpt, config=config, cfg_options=dict(cfg_options or {}),
                                  evaluated=False, metrics={}, seconds=seconds,
                                  backbone=osp.abspath(osp.join(folder, backbone)),
                                  adopted='finished by an experiment script before it ran recipes'))
    return True


def option_strings(options: Dict[str, Dict[str, object]]) -> List[str]:
    """``--cfg-options`` arguments ``STAGE.KEY=VALUE`` of per-stage overrides (values: str, int, float, bool).

    Examples:
        >>> option_strings({'cutmix': {'randomness.seed': 1, 'train_cfg.max_iters': 4}, 'source': {}})
        ['cutmix.randomness.seed=1', 'cutmix.train_cfg.max_iters=4']
    """
    out = []
    for stage, opts in options.items():
        for key, value in opts.items():
            if not isinstance(value, (str, int, float, bool)) or (isinstance(value, str) and (
                    not value or any(c in value for c in ',[]()"\''))):
                raise ValueError(f'--cfg-options {stage}.{key}: {value!r} would not arrive as it is through the '
                                 "command line; put it in the stage's cfg_options")
            out.append(f'{stage}.{key}={value}')
    return out


def train_recipe(recipe_file: str, work_dir: str, options: Sequence[str] = (), log: Optional[str] = None,
                 threads: Optional[int] = None) -> float:
    """Run ``python tools/train.py RECIPE --work-dir WORK_DIR --resume [--cfg-options ...]`` in a fresh process.

    Args:
        recipe_file (str): the recipe.
        work_dir (str): its work dir.
        options (sequence[str]): ``--cfg-options`` arguments (``STAGE.KEY=VALUE``, see :func:`option_strings`).
        log (str, optional): file the command line and the process's output are appended to (default: the
            terminal).
        threads (int, optional): ``OMP_NUM_THREADS`` of the process (default: inherited).

    Returns:
        float: the wall time in seconds.

    Raises:
        RuntimeError: the process failed (the message names the log).
    """
    cmd = [sys.executable, osp.join(REPO, 'tools', 'train.py'), recipe_file, '--work-dir', work_dir, '--resume']
    if options:
        cmd += ['--cfg-options'] + list(options)
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get('PYTHONPATH', ''))
    if threads is not None:
        env['OMP_NUM_THREADS'] = str(threads)
    t0 = time.time()
    if log is None:
        proc = subprocess.run(cmd, cwd=REPO, env=env)
    else:
        with open(log, 'a') as f:
            f.write('$ ' + ' '.join(cmd) + '\n')
            f.flush()
            proc = subprocess.run(cmd, cwd=REPO, stdout=f, stderr=subprocess.STDOUT, env=env)
    if proc.returncode:
        where = f', see {log}' if log else ''
        raise RuntimeError(f'command failed ({proc.returncode}){where}: {" ".join(cmd)}')
    return time.time() - t0


def _test_metrics(run_dir: str, done: dict) -> dict:
    """The default result of a run: the last stage's test metrics and its wall time in minutes."""
    path = osp.join(run_dir, 'test_metrics.json')
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path} is missing: the recipe finished without evaluating its last stage')
    with open(path) as f:
        metrics = json.load(f)
    if done.get('seconds') is not None:
        metrics['train_minutes'] = round(done['seconds'] / 60, 2)
    return metrics


class Experiment:
    """Run the runs of an experiment as recipes, skipping the finished ones.

    Args:
        name (str): prefix of the progress messages (the script's name).
        result_file (str): the file in a run folder that holds its result; its presence means the run has
            finished. Defaults to ``'test_metrics.json'``.
        table_only (bool): only read finished runs, run nothing.
        threads (int, optional): ``OMP_NUM_THREADS`` of the training processes (default: inherited).
    """

    def __init__(self, name: str, result_file: str = 'test_metrics.json', table_only: bool = False,
                 threads: Optional[int] = None) -> None:
        self.name = name
        self.result_file = result_file
        self.table_only = table_only
        self.threads = threads

    def _prepare(self, run_dir: str, stages: Sequence[dict], options: Optional[Dict[str, dict]]) -> List[dict]:
        """The stages as written into ``run_dir/recipe.py``: the last one in ``run_dir``, the folders of the others
        relative to it; shared stage folders finished before the scripts ran recipes adopted."""
        stages = [dict(s) for s in stages]
        stages[-1]['work_dir'] = '.'
        if not self.table_only:
            os.makedirs(run_dir, exist_ok=True)
        for spec in stages[:-1]:
            if spec.get('work_dir') and osp.isabs(spec['work_dir']):
                if not self.table_only:
                    adopt_finished_stage(spec['work_dir'], spec['config'], (options or {}).get(spec['name']))
                spec['work_dir'] = osp.relpath(spec['work_dir'], run_dir)
        return stages

    def finished(self, run_dir: str) -> Optional[dict]:
        """The result of a finished run, ``None`` when the run has not finished."""
        path = osp.join(run_dir, self.result_file)
        if not osp.isfile(path):
            return None
        with open(path) as f:
            return json.load(f)

    def run(self, run_dir: str, stages: Sequence[dict], options: Optional[Dict[str, dict]] = None,
            evaluate: bool = True, collect: Optional[Callable[[str, dict], dict]] = None,
            what: str = '') -> Optional[dict]:
        """The result of one run: read when it has finished, else trained as a recipe (unless ``table_only``).

        Args:
            run_dir (str): the run's folder.
            stages (sequence[dict]): its recipe's stages; the last one runs in ``run_dir`` (its ``work_dir`` is set
                to ``'.'``), the others in the folders they name (absolute, or relative to ``run_dir``; default
                ``run_dir/<name>``).
            options (dict[str, dict], optional): per stage name, ``{key: value}`` given on the command line.
            evaluate (bool): test the last stage (its metrics are the default result).
            collect (callable, optional): ``collect(run_dir, stage_done) -> dict``, the result written to
                ``result_file`` (default: ``test_metrics.json`` plus ``train_minutes``, the last stage's wall time).
            what (str): the run's description in the progress message.

        Returns:
            dict | None: the result, ``None`` for an unfinished run with ``table_only``.
        """
        result = self.finished(run_dir)
        if result is not None or self.table_only:
            return result
        stages = self._prepare(run_dir, stages, options)
        recipe = write_recipe(osp.join(run_dir, 'recipe.py'), stages, evaluate,
                              comment=f'written by {self.name} for {what or osp.basename(run_dir)}')
        secs = train_recipe(recipe, run_dir, option_strings(options or {}), osp.join(run_dir, 'run.log'),
                            self.threads)
        done = read_stage_done(stage_folder(run_dir, stages[-1])) or {}
        result = (collect or _test_metrics)(run_dir, done)
        atomic_write_text(osp.join(run_dir, self.result_file), json.dumps(result, indent=2))
        print(f'[{self.name}] {what or run_dir}: ' + ', '.join(
            f'{k} {v:.2f}' for k, v in result.items() if k in DEFAULT_METRICS and isinstance(v, (int, float)))
            + f' ({secs / 60:.1f} min)', flush=True)
        return result

    def ensure_backbone(self, folder: str, stages: Sequence[dict], options: Optional[Dict[str, dict]] = None) -> str:
        """The backbone file of pretraining stages run alone (trained now unless finished), the last one in
        ``folder``: ``folder/backbone.pth``, as the recipe runner extracts it for the stages that start from it."""
        stages = self._prepare(folder, stages, options)
        if not self.table_only:
            adopt_finished_stage(folder, stages[-1]['config'], (options or {}).get(stages[-1]['name']))
        done = read_stage_done(folder)
        if done is None:
            if self.table_only:
                raise RuntimeError(f'{folder} has not finished and --table-only runs nothing')
            recipe = write_recipe(osp.join(folder, 'recipe.py'), stages, evaluate=False,
                                  comment=f'written by {self.name}: the pretraining stages alone')
            secs = train_recipe(recipe, folder, option_strings(options or {}), osp.join(folder, 'run.log'),
                                self.threads)
            print(f'[{self.name}] {folder}: {secs / 60:.1f} min', flush=True)
            done = read_stage_done(folder)
        if not done.get('backbone'):
            from densessl.apis import extract_backbone
            backbone = osp.join(folder, BACKBONE_FILE)
            extract_backbone(done['checkpoint'], backbone)
            write_stage_done(folder, dict(done, backbone=backbone))
            return backbone
        return done['backbone']


# ------------------------------------------------------------------------------------------------------- tables
def load_run_metrics(work_dir: str, key: Optional[str] = None) -> Dict[str, float]:
    """The metrics of one run: the first of ``test_metrics.json`` and ``metrics.json`` (``tools/test.py --out``)
    in ``work_dir``, else the last validation record holding ``key`` (default: any of :data:`DEFAULT_METRICS`) in
    the newest ``*/vis_data/scalars.json`` below it.

    Raises:
        FileNotFoundError: the dir does not exist or holds no metrics file and no validation record.
    """
    if not osp.isdir(work_dir):
        raise FileNotFoundError(f'work dir not found: {work_dir}')
    for name in ('test_metrics.json', 'metrics.json'):
        path = osp.join(work_dir, name)
        if osp.isfile(path):
            with open(path) as f:
                return json.load(f)
    logs = sorted(glob.glob(osp.join(work_dir, '**', 'vis_data', 'scalars.json'), recursive=True),
                  key=osp.getmtime)
    for log in reversed(logs):
        with open(log) as f:
            records = [json.loads(line) for line in f if line.strip()]
        records = [r for r in records if (key or DEFAULT_METRICS[0]) in r or (key is None and any(
            m in r for m in DEFAULT_METRICS))]
        if records:
            return records[-1]
    raise FileNotFoundError(f'{work_dir}: no test_metrics.json / metrics.json and no validation record in '
                            '*/vis_data/scalars.json (evaluate the run with tools/test.py --out DIR/metrics.json)')


def run_name(work_dir: str) -> Tuple[str, Optional[int]]:
    """``(group name, seed)`` of a work dir: its name without the seed suffix.

    Examples:
        >>> run_name('work_dirs/x/cutmix_seed1'), run_name('work_dirs/pixpro/seed0'), run_name('a/b')
        (('cutmix', 1), ('pixpro', 0), ('b', None))
    """
    base = osp.basename(osp.normpath(work_dir))
    m = SEED_SUFFIX.search(base)
    if not m:
        return base, None
    name = base[:m.start()] or osp.basename(osp.dirname(osp.normpath(work_dir)))
    return name, int(m.group(1))


def mean_std(values: Sequence[Optional[float]], decimals: int = 2) -> str:
    """``'mean ± std'`` (sample std), the value alone for one run, ``n/a`` for none.

    Examples:
        >>> mean_std([1.0, 2.0]), mean_std([3.14159]), mean_std([])
        ('1.50 ± 0.71', '3.14', 'n/a')
    """
    values = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if not values:
        return 'n/a'
    mean = statistics.mean(values)
    if len(values) == 1:
        return f'{mean:.{decimals}f}'
    return f'{mean:.{decimals}f} ± {statistics.stdev(values):.{decimals}f}'


Runs = List[Tuple[Optional[int], dict]]


def group_runs(work_dirs: Sequence[str], key: Optional[str] = None) -> 'OrderedDict[str, Runs]':
    """Group runs by name: name -> ``[(seed, metrics), ...]`` in the order given."""
    groups: 'OrderedDict[str, Runs]' = OrderedDict()
    for d in work_dirs:
        name, seed = run_name(d)
        groups.setdefault(name, []).append((seed, load_run_metrics(d, key)))
    return groups


def _num(v):
    return None if v is None else float(v)


#: a table column: a metric key, or ``(title, function(group name, runs) -> cell text)``
Column = Union[str, Tuple[str, Callable[[object, Runs], str]]]


def markdown_table(groups: 'OrderedDict', metrics: Sequence[Column], labels: Optional[Dict] = None,
                   decimals: int = 2, name_header: Union[str, Sequence[str]] = 'run', show_seeds: bool = True,
                   per_seed: bool = True, headers: Optional[Dict[str, str]] = None, count: Optional[str] = None,
                   time: Optional[bool] = None) -> str:
    """One row per group: its name, the seeds, ``mean ± std`` of each metric, the per-seed values of the first
    metric, and the mean training minutes when the runs recorded ``train_minutes``.

    Args:
        groups (OrderedDict): name -> ``[(seed, metrics), ...]`` (:func:`group_runs`); a group without runs gets a
            row of ``n/a``. A tuple name fills one column per element (``name_header`` then names them).
        metrics (sequence): metric keys, or ``(title, function(name, runs) -> str)`` for a computed column.
        labels (dict, optional): the row label of a group name (default: the name).
        decimals (int): decimals of the numbers.
        name_header (str | sequence[str]): the title(s) of the name column(s).
        show_seeds (bool): a ``seeds`` column.
        per_seed (bool): a column of the first metric's per-seed values.
        headers (dict, optional): a metric's column title (default: its key).
        count (str, optional): title of a column with the number of runs (default: none).
        time (bool, optional): the ``train min/run`` column (default: when a run recorded ``train_minutes``).

    Examples:
        >>> groups = OrderedDict(a=[(0, {'mIoU': 40.0, 'train_minutes': 2}), (1, {'mIoU': 42.0, 'train_minutes': 3})],
        ...                      b=[])
        >>> print(markdown_table(groups, ['mIoU'], labels={'a': 'A'}))
        | run | seeds | mIoU | per-seed mIoU | train min/run |
        |---|---|---|---|---|
        | A | 0, 1 | 41.00 ± 1.41 | 40.00, 42.00 | 2.5 |
        | b | - | n/a |  | - |
    """
    labels = labels or {}
    headers = headers or {}
    keys = [m for m in metrics if isinstance(m, str)]
    names = [name_header] if isinstance(name_header, str) else list(name_header)
    with_time = any('train_minutes' in m for runs in groups.values() for _, m in runs) if time is None else time
    head = names + (['seeds'] if show_seeds else []) + [m[0] if isinstance(m, tuple) else headers.get(m, m)
                                                         for m in metrics]
    head += ([f'per-seed {headers.get(keys[0], keys[0])}'] if per_seed and keys else [])
    head += (['train min/run'] if with_time else []) + ([count] if count else [])
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for name, runs in groups.items():
        label = labels.get(name, name)
        cells = [str(c) for c in label] if isinstance(label, tuple) else [str(label)]
        if show_seeds:
            cells.append(', '.join(str(s) for s, _ in runs if s is not None) or '-')
        for m in metrics:
            computed = isinstance(m, tuple)
            cells.append(m[1](name, runs) if computed else mean_std([_num(r.get(m)) for _, r in runs], decimals))
        if per_seed and keys:
            cells.append(', '.join('n/a' if _num(r.get(keys[0])) is None else f'{_num(r.get(keys[0])):.{decimals}f}'
                                   for _, r in runs))
        if with_time:
            mins = [r['train_minutes'] for _, r in runs if 'train_minutes' in r]
            cells.append(f'{statistics.mean(mins):.1f}' if mins else '-')
        if count:
            cells.append(str(len(runs)))
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def write_table(path: str, text: str) -> str:
    """Write a results table (``text`` and a final newline) to ``path`` atomically; returns ``text``."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    atomic_write_text(path, text + '\n')
    return text


def compare(work_dirs: Sequence[str], metrics: Optional[Sequence[str]] = None,
            labels: Optional[Dict[str, str]] = None, decimals: int = 2) -> str:
    """The markdown table of ``work_dirs`` (``metrics``: default those of mIoU / mDice / mHD95 that the runs have).

    Raises:
        FileNotFoundError: a work dir without metrics. ValueError: no work dir, or none of the metrics found.
    """
    if not work_dirs:
        raise ValueError('no work dir given')
    groups = group_runs(work_dirs, metrics[0] if metrics else None)
    if not metrics:
        metrics = [k for k in DEFAULT_METRICS if any(k in m for runs in groups.values() for _, m in runs)]
        if not metrics:
            raise ValueError(f'none of {DEFAULT_METRICS} in the runs\' metrics; name them with --metrics')
    return markdown_table(groups, metrics, labels, decimals)
