"""The ``semi_train_cfg`` / ``semi_test_cfg`` a semi-supervised model config runs with, without building the model."""
from typing import Tuple

from mmengine.config import ConfigDict


def merged_semi_cfgs(model_cfg: dict) -> Tuple[ConfigDict, ConfigDict]:
    """The class defaults of ``model_cfg['type']`` updated by the config's ``semi_train_cfg`` / ``semi_test_cfg``
    (the class's ``merge_train_cfg`` / ``merge_test_cfg``: what ``model.semi_train_cfg`` holds once built)."""
    from densessl.registry import MODELS
    from densessl.utils import register_all_modules
    register_all_modules()
    cls = MODELS.get(model_cfg['type'])
    train = cls.merge_train_cfg(model_cfg.get('semi_train_cfg'))
    test = cls.merge_test_cfg(model_cfg.get('semi_test_cfg'))
    return ConfigDict(train), ConfigDict(test)
