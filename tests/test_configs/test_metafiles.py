"""Results beside their configs (issue 14): every method folder has a README, every ``metafile.yml`` (mmseg's
format: Collections / Models with Name, In Collection, Config, Metadata, Results, Weights) names configs that exist,
numeric metrics, and figures that its README shows.

YAML parsing only: the module runs in well under a second."""
import glob
import os
import os.path as osp
import re
from numbers import Real

import pytest
import yaml

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = osp.join(REPO, 'configs')
METAFILES = sorted(glob.glob(osp.join(CONFIGS, '*', 'metafile.yml')))
MODEL_KEYS = ('Name', 'In Collection', 'Config', 'Metadata', 'Results', 'Weights')


def _numbers(text: str) -> set:
    """Every decimal number written in ``text``, as floats."""
    return {float(n) for n in re.findall(r'\d+(?:\.\d+)?', text)}


def metafile_problems(path: str, repo: str = REPO) -> list:
    """What is wrong with the metafile ``path`` (an empty list: nothing).

    Checks: top-level ``Collections`` and ``Models`` lists; every model has :data:`MODEL_KEYS`, a collection of the
    file, a ``Config`` that exists (path relative to ``repo``), ``Results`` with a ``Task``, a ``Dataset`` and
    ``Metrics`` whose values are numbers (not booleans) shown in the collection's README, and a ``.pth`` weights
    name; model names are unique in the file.
    """
    with open(path, encoding='utf-8') as f:
        meta = yaml.safe_load(f)
    if not isinstance(meta, dict) or not isinstance(meta.get('Collections'), list) \
            or not isinstance(meta.get('Models'), list) or not meta['Models']:
        return [f'{path}: needs non-empty "Collections" and "Models" lists']
    problems = []
    readmes = {}
    for coll in meta['Collections']:
        readme = osp.join(repo, str(coll.get('README', '')))
        if not osp.isfile(readme):
            problems.append(f'{path}: collection {coll.get("Name")!r}: README {coll.get("README")!r} not found')
            continue
        with open(readme, encoding='utf-8') as f:
            readmes[coll.get('Name')] = _numbers(f.read())
    names = [m.get('Name') for m in meta['Models']]
    problems += [f'{path}: model name {n!r} used twice' for n in sorted(set(names)) if names.count(n) > 1]
    for model in meta['Models']:
        where = f'{path}: model {model.get("Name")!r}'
        missing = [k for k in MODEL_KEYS if k not in model]
        if missing:
            problems.append(f'{where}: missing {missing}')
            continue
        if model['In Collection'] not in {c.get('Name') for c in meta['Collections']}:
            problems.append(f'{where}: "In Collection" {model["In Collection"]!r} is not a collection of the file')
        if not str(model['Config']).endswith('.py') or not osp.isfile(osp.join(repo, model['Config'])):
            problems.append(f'{where}: Config {model["Config"]!r} does not exist')
        if not str(model['Weights']).endswith('.pth'):
            problems.append(f'{where}: Weights {model["Weights"]!r} is not a checkpoint file name')
        results = model['Results'] if isinstance(model['Results'], list) else [model['Results']]
        for result in results:
            if not isinstance(result, dict) or not {'Task', 'Dataset', 'Metrics'} <= set(result):
                problems.append(f'{where}: Results need Task, Dataset and Metrics')
                continue
            if not isinstance(result['Metrics'], dict) or not result['Metrics']:
                problems.append(f'{where}: Metrics must be a non-empty mapping')
                continue
            for metric, value in result['Metrics'].items():
                if isinstance(value, bool) or not isinstance(value, Real):
                    problems.append(f'{where}: metric {metric!r} = {value!r} is not a number')
                elif model['In Collection'] in readmes and float(value) not in readmes[model['In Collection']]:
                    problems.append(f'{where}: metric {metric!r} = {value} is not in the collection\'s README')
    return problems


def test_there_are_metafiles():
    assert len(METAFILES) >= 5, METAFILES


@pytest.mark.parametrize('path', METAFILES, ids=lambda p: osp.relpath(p, CONFIGS))
def test_metafile(path):
    assert metafile_problems(path) == []


def test_model_names_unique_across_metafiles():
    names = []
    for path in METAFILES:
        with open(path, encoding='utf-8') as f:
            names += [m['Name'] for m in yaml.safe_load(f)['Models']]
    assert len(names) == len(set(names)), sorted(n for n in set(names) if names.count(n) > 1)


def test_every_method_folder_has_a_readme():
    folders = [d for d in sorted(os.listdir(CONFIGS)) if d != '_base_' and osp.isdir(osp.join(CONFIGS, d))]
    with_configs = [d for d in folders if glob.glob(osp.join(CONFIGS, d, '*.py'))]
    assert len(with_configs) >= 20, with_configs
    assert [d for d in with_configs if not osp.isfile(osp.join(CONFIGS, d, 'README.md'))] == []


def test_metafile_problems_are_found(tmp_path):
    """The checker reports a missing config, a non-numeric metric, a figure its README lacks, a wrong collection
    and a missing key, and passes the corrected file."""
    (tmp_path / 'configs' / 'm').mkdir(parents=True)
    (tmp_path / 'configs' / 'm' / 'a.py').write_text('x = 1\n')
    (tmp_path / 'configs' / 'm' / 'README.md').write_text('| a | 46.60 ± 0.18 | 60.66 |\n')

    def write(models):
        meta = dict(Collections=[dict(Name='M', README='configs/m/README.md')], Models=models)
        path = tmp_path / 'configs' / 'm' / 'metafile.yml'
        path.write_text(yaml.safe_dump(meta))
        return metafile_problems(str(path), repo=str(tmp_path))

    good = dict(Name='a', Config='configs/m/a.py', Metadata=dict(Iterations=1000), Weights='w/iter_1000.pth',
                Results=dict(Task='Semantic Segmentation', Dataset='Demo', Metrics=dict(mIoU=46.6, mDice=60.66)))
    good['In Collection'] = 'M'
    assert write([good]) == []
    bad_config = dict(good, Name='b', Config='configs/m/missing.py', **{'In Collection': 'N'})
    bad_metrics = dict(good, Name='d', Results=dict(good['Results'], Metrics=dict(mIoU='46.6', mDice=61.0)))
    problems = write([good, bad_config, bad_metrics, dict(Name='c')])
    text = '\n'.join(problems)
    assert "model 'b': Config 'configs/m/missing.py' does not exist" in text
    assert """model 'b': "In Collection" 'N' is not a collection of the file""" in text
    assert "model 'd': metric 'mIoU' = '46.6' is not a number" in text
    assert "model 'd': metric 'mDice' = 61.0 is not in the collection's README" in text
    assert "model 'c': missing" in text
    assert len(problems) == 5, problems
