from .clustering import ClusteringAccuracy

__all__ = ['ClusteringAccuracy']
from .volume_metric import VolumeMetric, volume_scores  # noqa: E402

__all__ += ['VolumeMetric', 'volume_scores']
from .report import OverlayHook, overlay_panels  # noqa: E402

__all__ += ['OverlayHook', 'overlay_panels']
