from .clustering import ClusteringAccuracy

__all__ = ['ClusteringAccuracy']
