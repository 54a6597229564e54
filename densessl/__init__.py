"""densessl: segmentation-first semi- and self-supervised learning with very few labels."""
__version__ = '0.1.0'
