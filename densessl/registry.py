"""densessl registries.

Every registry is a child of mmseg's registry of the same kind (which in turn are children of mmengine's root
registries), under ``scope='densessl'``. With ``default_scope='densessl'`` in a config, a type name is looked up in
densessl first, then in mmseg, then mmengine, so configs may say ``ResNetV1c`` or ``IoUMetric`` directly;
mmpretrain types need the ``mmpretrain.`` prefix (``type='mmpretrain.BYOLNeck'``).

Lookups that reach a parent registry do not trigger the parent's lazy imports: call
:func:`densessl.utils.register_all_modules` first (``tools/train.py`` does).
"""
from mmseg.registry import DATA_SAMPLERS as MMSEG_DATA_SAMPLERS
from mmseg.registry import DATASETS as MMSEG_DATASETS
from mmseg.registry import EVALUATOR as MMSEG_EVALUATOR
from mmseg.registry import HOOKS as MMSEG_HOOKS
from mmseg.registry import INFERENCERS as MMSEG_INFERENCERS
from mmseg.registry import LOG_PROCESSORS as MMSEG_LOG_PROCESSORS
from mmseg.registry import LOOPS as MMSEG_LOOPS
from mmseg.registry import METRICS as MMSEG_METRICS
from mmseg.registry import MODEL_WRAPPERS as MMSEG_MODEL_WRAPPERS
from mmseg.registry import MODELS as MMSEG_MODELS
from mmseg.registry import OPTIM_WRAPPER_CONSTRUCTORS as MMSEG_OPTIM_WRAPPER_CONSTRUCTORS
from mmseg.registry import OPTIM_WRAPPERS as MMSEG_OPTIM_WRAPPERS
from mmseg.registry import OPTIMIZERS as MMSEG_OPTIMIZERS
from mmseg.registry import PARAM_SCHEDULERS as MMSEG_PARAM_SCHEDULERS
from mmseg.registry import RUNNER_CONSTRUCTORS as MMSEG_RUNNER_CONSTRUCTORS
from mmseg.registry import RUNNERS as MMSEG_RUNNERS
from mmseg.registry import TASK_UTILS as MMSEG_TASK_UTILS
from mmseg.registry import TRANSFORMS as MMSEG_TRANSFORMS
from mmseg.registry import VISBACKENDS as MMSEG_VISBACKENDS
from mmseg.registry import VISUALIZERS as MMSEG_VISUALIZERS
from mmseg.registry import WEIGHT_INITIALIZERS as MMSEG_WEIGHT_INITIALIZERS
from mmengine.registry import Registry

SCOPE = 'densessl'


def _child(name, parent, locations):
    return Registry(name, parent=parent, scope=SCOPE, locations=locations)


RUNNERS = _child('runner', MMSEG_RUNNERS, ['densessl.engine'])
RUNNER_CONSTRUCTORS = _child('runner constructor', MMSEG_RUNNER_CONSTRUCTORS, ['densessl.engine'])
LOOPS = _child('loop', MMSEG_LOOPS, ['densessl.engine'])
HOOKS = _child('hook', MMSEG_HOOKS, ['densessl.engine'])
DATASETS = _child('dataset', MMSEG_DATASETS, ['densessl.datasets'])
DATA_SAMPLERS = _child('data sampler', MMSEG_DATA_SAMPLERS, ['densessl.datasets'])
TRANSFORMS = _child('transform', MMSEG_TRANSFORMS, ['densessl.datasets'])
MODELS = _child('model', MMSEG_MODELS, ['densessl.models'])
MODEL_WRAPPERS = _child('model_wrapper', MMSEG_MODEL_WRAPPERS, ['densessl.engine'])
WEIGHT_INITIALIZERS = _child('weight initializer', MMSEG_WEIGHT_INITIALIZERS, ['densessl.models'])
OPTIMIZERS = _child('optimizer', MMSEG_OPTIMIZERS, ['densessl.engine'])
OPTIM_WRAPPERS = _child('optim_wrapper', MMSEG_OPTIM_WRAPPERS, ['densessl.engine'])
OPTIM_WRAPPER_CONSTRUCTORS = _child('optimizer wrapper constructor', MMSEG_OPTIM_WRAPPER_CONSTRUCTORS,
                                    ['densessl.engine'])
PARAM_SCHEDULERS = _child('parameter scheduler', MMSEG_PARAM_SCHEDULERS, ['densessl.engine'])
METRICS = _child('metric', MMSEG_METRICS, ['densessl.evaluation'])
EVALUATOR = _child('evaluator', MMSEG_EVALUATOR, ['densessl.evaluation'])
TASK_UTILS = _child('task util', MMSEG_TASK_UTILS, ['densessl.models'])
VISUALIZERS = _child('visualizer', MMSEG_VISUALIZERS, ['densessl.engine'])
VISBACKENDS = _child('vis_backend', MMSEG_VISBACKENDS, ['densessl.engine'])
LOG_PROCESSORS = _child('log_processor', MMSEG_LOG_PROCESSORS, ['densessl.engine'])
INFERENCERS = _child('inferencer', MMSEG_INFERENCERS, ['densessl.apis'])
