"""pytest set-up shared by the tests and the docstring examples (``pytest tests densessl``, see pytest.ini)."""
import random

import pytest
from _pytest.doctest import DoctestItem


@pytest.fixture(autouse=True)
def _seeded_docstring_examples(request):
    """Each docstring example starts from the same random state, whatever ran before it in the process, so an
    example that draws random numbers shows the same output alone and in the full run."""
    if isinstance(request.node, DoctestItem):
        import numpy as np
        import torch
        random.seed(0)
        np.random.seed(0)
        torch.manual_seed(0)
    yield
