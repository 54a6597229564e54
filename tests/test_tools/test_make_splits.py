"""tools/make_splits.py: the paper's settings per dataset, the generic mode, determinism, clear errors."""
import os
import os.path as osp
import subprocess
import sys

import pytest

from densessl.datasets.splits import read_split_file
from tests.helpers.fixtures import (REPO_ROOT, load_tool, write_cityscapes, write_demo_layout, write_isic2017,
                                    write_voc_converted)

make_splits = load_tool('tools/make_splits.py')


def _read(out, *parts):
    d = osp.join(out, *parts)
    return read_split_file(osp.join(d, 'labeled.txt')), read_split_file(osp.join(d, 'unlabeled.txt'))


def _check_partition(out, dataset, expected, all_names, written):
    for setting, n_labeled in expected.items():
        lab, unlab = _read(out, dataset, setting)
        assert len(lab) == n_labeled  # the number of labels is the number of lines of labeled.txt
        assert sorted(lab + unlab) == sorted(all_names) and not set(lab) & set(unlab)
        assert written[osp.join(out, dataset, setting)] == (n_labeled, len(all_names) - n_labeled)
    assert len(written) == len(expected)


def test_voc_fractions_of_train_aug(tmp_path):
    info = write_voc_converted(str(tmp_path / 'data'), n_train=200, n_val=2, size=(8, 16))
    out = str(tmp_path / 'splits')
    written = make_splits.main(['voc', '--data-root', info['data_root'], '--out', out])
    _check_partition(out, 'voc', {'1pct': 2, '2pct': 4, '5pct': 10}, info['train_aug'], written)


def test_cityscapes_100_186_372(tmp_path):
    info = write_cityscapes(str(tmp_path / 'cityscapes'), cities={'train': ['aachen', 'bochum', 'bremen', 'cologne']},
                            per_city=95, size=(8, 16), with_train_ids=False)
    out = str(tmp_path / 'splits')
    written = make_splits.main(['cityscapes', '--data-root', info['data_root'], '--out', out])
    _check_partition(out, 'cityscapes', {'100': 100, '186': 186, '372': 372}, info['names']['train'], written)
    assert _read(out, 'cityscapes', '100')[0][0].count('/') == 1  # '<city>/<name>' as the dataset expects


def test_voc_unimatch_settings_label_from_voc_train_only(tmp_path, capsys):
    # UniMatch's 92 / 183 / 366 / 732 / 1464: labels from VOC's 1464-image train.txt, the rest of train_aug unlabeled
    info = write_voc_converted(str(tmp_path / 'data'), n_train=1500, n_val=2, size=(4, 4))
    voc_train = info['train_aug'][::-1][:1464]  # a subset of train_aug, listed out of order
    with open(osp.join(info['data_root'], 'ImageSets', 'Segmentation', 'train.txt'), 'w') as f:
        f.write('\n'.join(voc_train) + '\n')
    out = str(tmp_path / 'splits')
    written = make_splits.main(['voc', '--data-root', info['data_root'], '--out', out])
    expected = {'1pct': 15, '2pct': 30, '5pct': 75, '92': 92, '183': 183, '366': 366, '732': 732, '1464': 1464}
    _check_partition(out, 'voc', expected, info['train_aug'], written)
    outside_voc_train = set(info['train_aug']) - set(voc_train)
    for setting in ('92', '183', '366', '732', '1464'):
        lab, unlab = _read(out, 'voc', setting)
        assert set(lab) <= set(voc_train)  # labels only from the finely annotated list
        assert outside_voc_train <= set(unlab)  # every SBD-only image is unlabeled
    assert sorted(_read(out, 'voc', '1464')[0]) == sorted(voc_train)
    assert set(_read(out, 'voc', '92')[0]) <= set(_read(out, 'voc', '1464')[0])
    # without VOC's train.txt the classic settings are skipped with a note, the train_aug ones still written
    capsys.readouterr()
    os.remove(osp.join(info['data_root'], 'ImageSets', 'Segmentation', 'train.txt'))
    written = make_splits.main(['voc', '--data-root', info['data_root'], '--out', str(tmp_path / 'o2')])
    assert sorted(osp.basename(d) for d in written) == ['1pct', '2pct', '5pct']
    assert 'skipped voc 92' in capsys.readouterr().err


def test_voc_unimatch_settings_errors(tmp_path):
    info = write_voc_converted(str(tmp_path / 'data'), n_train=200, n_val=2, size=(4, 4))
    seg_sets = osp.join(info['data_root'], 'ImageSets', 'Segmentation')
    with open(osp.join(seg_sets, 'train.txt'), 'w') as f:  # too few images for 183 labels
        f.write('\n'.join(info['train_aug'][:150]) + '\n')
    with pytest.raises(ValueError) as err:
        make_splits.main(['voc', '--data-root', info['data_root'], '--out', str(tmp_path / 'o')])
    assert 'cannot label 183 images' in str(err.value) and 'train.txt has only 150' in str(err.value)
    assert not osp.exists(str(tmp_path / 'o'))  # nothing half-written: no setting before the failing one either
    with open(osp.join(seg_sets, 'train.txt'), 'w') as f:  # a labeled candidate outside train_aug (a val image)
        f.write('\n'.join(info['train_aug'] + info['val'][:1]) + '\n')
    with pytest.raises(ValueError) as err:
        make_splits.main(['voc', '--data-root', info['data_root'], '--out', str(tmp_path / 'o')])
    assert 'train.txt lists 1 image(s)' in str(err.value) and info['val'][0] in str(err.value)
    assert 'train_aug.txt' in str(err.value)


def test_isic2017_10_20_50(tmp_path):
    info = write_isic2017(str(tmp_path / 'ISIC2017'), counts={'Training': 60, 'Validation': 2}, size=(8, 16),
                          converted=False)
    out = str(tmp_path / 'splits')
    written = make_splits.main(['isic2017', '--data-root', info['data_root'], '--out', out])
    _check_partition(out, 'isic2017', {'10': 10, '20': 20, '50': 50}, info['names']['Training'], written)


def test_demo_fractions(tmp_path):
    info = write_demo_layout(str(tmp_path / 'demo'), n_train=100, size=(8, 16))
    out = str(tmp_path / 'splits')
    written = make_splits.main(['demo', '--data-root', info['data_root'], '--out', out])
    _check_partition(out, 'demo', {'1pct': 1, '2pct': 2, '5pct': 5, '10pct': 10}, info['train'], written)


def test_deterministic_and_seeded(tmp_path):
    info = write_demo_layout(str(tmp_path / 'demo'), n_train=100, size=(8, 16))
    runs = {}
    for key, seed in (('a', '0'), ('b', '0'), ('c', '1')):
        out = str(tmp_path / key)
        make_splits.main(['demo', '--data-root', info['data_root'], '--out', out, '--seed', seed])
        runs[key] = _read(out, 'demo', '10pct')
    assert runs['a'] == runs['b']
    assert runs['a'][0] != runs['c'][0]


def test_labeled_split_feeds_the_dataset(tmp_path):
    info = write_voc_converted(str(tmp_path / 'data'), n_train=100, n_val=2, size=(8, 16))
    out = str(tmp_path / 'splits')
    make_splits.main(['voc', '--data-root', info['data_root'], '--out', out])
    from densessl.datasets.voc import PascalVOCAugDataset
    prefix = dict(img_path='JPEGImages', seg_map_path='SegmentationClassAug')
    lab = PascalVOCAugDataset(data_root=info['data_root'], data_prefix=prefix,
                              ann_file=osp.join(out, 'voc', '5pct', 'labeled.txt'))
    unlab = PascalVOCAugDataset(data_root=info['data_root'], data_prefix=dict(img_path='JPEGImages'),
                                ann_file=osp.join(out, 'voc', '5pct', 'unlabeled.txt'), with_label=False)
    assert (len(lab), len(unlab)) == (5, 95)


def test_generic_list_mode(tmp_path):
    names = [f'x/{i:02d}' for i in range(30)]
    lst = tmp_path / 'all.txt'
    lst.write_text('\n'.join(reversed(names)) + '\n')
    out = str(tmp_path / 'splits')
    written = make_splits.main(['--list', str(lst), '--num', '7', '--name', 'mine/7', '--out', out])
    assert written == {osp.join(out, 'mine', '7'): (7, 23)}
    lab, unlab = _read(out, 'mine', '7')
    assert len(lab) == 7 and sorted(lab + unlab) == names
    written = make_splits.main(['voc', '--list', str(lst), '--fraction', '0.1', '--name', 'custom', '--out', out])
    assert written == {osp.join(out, 'voc', 'custom'): (3, 27)}


def test_errors(tmp_path):
    info = write_isic2017(str(tmp_path / 'ISIC2017'), counts={'Training': 12}, size=(8, 16), converted=False)
    with pytest.raises(ValueError) as err:  # 20 and 50 labels from 12 images
        make_splits.main(['isic2017', '--data-root', info['data_root'], '--out', str(tmp_path / 'o')])
    assert 'cannot label 20 images' in str(err.value) and 'ISIC-2017_Training_Data' in str(err.value)
    missing = str(tmp_path / 'VOCdevkit' / 'VOC2012')
    with pytest.raises(FileNotFoundError) as err:
        make_splits.main(['voc', '--data-root', missing, '--out', str(tmp_path / 'o')])
    assert missing in str(err.value) and 'voc_aug.py' in str(err.value)
    with pytest.raises(FileNotFoundError, match='no_list.txt'):
        make_splits.main(['--list', str(tmp_path / 'no_list.txt'), '--num', '1', '--name', 'n'])
    for argv in (['--list', 'a.txt', '--num', '1'], ['--list', 'a.txt', '--name', 'n'], [],
                 ['voc', '--num', '3'], ['--list', 'a.txt', '--num', '1', '--fraction', '0.1', '--name', 'n']):
        with pytest.raises(SystemExit):
            make_splits.main(argv)


def test_cli_prints_counts(tmp_path):
    info = write_demo_layout(str(tmp_path / 'demo'), n_train=100, size=(8, 16))
    out = str(tmp_path / 'splits')
    proc = subprocess.run([sys.executable, osp.join(REPO_ROOT, 'tools', 'make_splits.py'), 'demo', '--data-root',
                           info['data_root'], '--out', out], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert f'{osp.join(out, "demo", "5pct")}/{{labeled,unlabeled}}.txt: 5 labeled, 95 unlabeled' in proc.stdout
    assert 'the full demo training set has 1000' in proc.stderr
