"""The Examples of the medical modules' docstrings run and hold (volume metric, reports, h5 loading, one-channel
augmentation, ACDC splits, pooled PixPro neck)."""
import doctest

import numpy as np
import pytest
import torch

import densessl.datasets.acdc as acdc
import densessl.datasets.transforms.gray_aug as gray_aug
import densessl.datasets.transforms.loading_h5 as loading_h5
import densessl.evaluation.report as report
import densessl.evaluation.volume_metric as volume_metric
import densessl.models.necks.pooled_pixpro_neck as pooled_pixpro_neck

MODULES = [volume_metric, report, loading_h5, gray_aug, acdc, pooled_pixpro_neck]


@pytest.mark.parametrize('module', MODULES, ids=lambda m: m.__name__)
def test_docstring_examples(module):
    torch.manual_seed(0)
    result = doctest.testmod(module, extraglobs=dict(torch=torch, np=np), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
