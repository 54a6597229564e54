from . import augment, classifiers, segmentors, selfsup, ssl  # noqa: F401
