"""The Examples of the selection modules' docstrings run and hold."""
import doctest

import pytest

import densessl.evaluation.clustering as clustering
import densessl.selection.report as report
import densessl.selection.strategies as strategies


@pytest.mark.parametrize('module', [strategies, report, clustering], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    import torch
    torch.manual_seed(0)
    result = doctest.testmod(module, extraglobs=dict(torch=torch), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
