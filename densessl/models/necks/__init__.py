from .pooled_pixpro_neck import PooledPixProNeck

__all__ = ['PooledPixProNeck']
