"""Which images to annotate: features of an unlabeled pool from a (target-pretrained) backbone, selection strategies
(random, k-means, AS3L, k-center core-set, dense region coverage) and the advisor that writes the split files.

``tools/suggest_labels.py`` is the command line; :func:`suggest_labels` does the work. AS3L's selection and its prior
pseudo-labels (``tools/as3l_select.py``) are in :mod:`densessl.selection.as3l`.
"""
from .advisor import suggest_labels
from .features import Features, build_backbone, build_pool, extract_features, resolve_model
from .report import class_coverage, contact_sheet
from .strategies import (STRATEGIES, Selection, parse_budget, select, select_as3l, select_coreset, select_dense,
                         select_kmeans, select_random)

__all__ = [
    'suggest_labels', 'Features', 'resolve_model', 'build_backbone', 'build_pool', 'extract_features',
    'contact_sheet', 'class_coverage', 'STRATEGIES', 'Selection', 'parse_budget', 'select', 'select_random',
    'select_kmeans', 'select_as3l', 'select_coreset', 'select_dense'
]
