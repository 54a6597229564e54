"""High-level functions: backbone hand-off between stages."""
from .handoff import (LoadReport, StemMismatchError, backbone_state_dict, check_stem, checkpoint_state_dict,
                      detect_format, extract_backbone, load_backbone_weights, load_checkpoint_file,
                      load_imagenet_weights, stem_type)

__all__ = [
    'extract_backbone', 'load_backbone_weights', 'load_imagenet_weights', 'load_checkpoint_file',
    'checkpoint_state_dict', 'backbone_state_dict', 'detect_format', 'stem_type', 'check_stem',
    'StemMismatchError', 'LoadReport'
]
