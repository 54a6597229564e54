from . import augment, classifiers, losses, segmentors, selfsup, ssl  # noqa: F401
