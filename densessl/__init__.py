"""densessl: segmentation-first semi- and self-supervised learning with very few labels."""
from .utils import checkpoint as _checkpoint  # noqa: F401  (torch>=2.6-safe local checkpoint loading)

__version__ = '0.1.0'
