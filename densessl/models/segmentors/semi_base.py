"""Mean-teacher semi-supervised segmentation on any mmseg segmentor (mmdet's ``SemiBaseDetector``, dense).

A training step of :class:`SemiBaseSegmentor`::

    sup:    student(x_sup) -> the segmentor's own losses with the masks     -> sup_* (x sup_weight)
    unsup:  teacher(weak)  -> softmax -> PseudoLabeler -> labels, probs, confidence     (no gradient)
            mix mask M (CutMix boxes | ClassMix classes | none), partners perm
            student input = mix(M, strong, perm); targets, confidences, validity = mix(M, ., perm)
            ConfidenceMask(confidence) -> per-pixel weights, share of pixels used
            student(mixed strong) -> ConsistencyLoss(weights)                 -> unsup_loss_cons (x unsup_weight)
                   (BN normalises with the batch; running statistics kept from the sup pass: unsup_bn_stats)
    log:    unsup_pixel_ratio (share of valid pixels whose teacher confidence passed the threshold)

The teacher follows the student through :class:`~densessl.engine.hooks.MeanTeacherHook` (EMA after each
iteration) and predicts at test time (``semi_test_cfg.predict_on``).
"""
import copy
from contextlib import contextmanager, nullcontext
from typing import Dict, List, Optional, Tuple, Union

import torch
import torch.nn as nn
from mmengine.config import ConfigDict
from mmengine.dist import get_rank
from mmseg.models.segmentors import BaseSegmentor
from mmseg.models.utils import resize
from mmseg.utils import ConfigType, OptConfigType, OptMultiConfig, SampleList
from torch import Tensor

from densessl.models.ssl import frozen_bn_stats, mix_batch, partner_permutation
from densessl.registry import MODELS

__all__ = ['SemiBaseSegmentor', 'rename_loss_dict', 'reweight_loss_dict', 'DEFAULT_SEMI_TRAIN_CFG']

BRANCHES = ('sup', 'unsup_teacher', 'unsup_student')

#: every key :class:`SemiBaseSegmentor` reads from ``semi_train_cfg`` and its default
DEFAULT_SEMI_TRAIN_CFG = dict(
    sup_weight=1.0,  # factor on every supervised loss term
    unsup_weight=1.0,  # factor on the consistency loss
    threshold=None,  # shortcut for confidence.threshold
    pseudo_label=dict(type='PseudoLabeler', mode='hard'),
    confidence=dict(type='ConfidenceMask', threshold=0.95, mode='pixel'),
    unsup_loss=dict(type='ConsistencyLoss', loss_type='ce'),
    mix=None,  # None | 'cutmix' | 'classmix' | a mask component config (CutMixMask / ClassMixMask)
    partner='roll',  # how mixing partners are chosen: 'roll' (i with i+1) or 'random'
    freeze_teacher=True,  # teacher without gradients and in eval mode (BN running stats, no dropout)
    # 'frozen': the student's pass on the (mixed) strong views leaves the BN running statistics alone, so the
    # eval-mode teacher and the tested model normalise clean images with clean statistics; 'update': that pass
    # updates them too (what a plain PyTorch training step does)
    unsup_bn_stats='frozen',
    seed=None,  # base seed of the per-step random draws (mix masks, dropout); None: drawn at construction
)

_MIX_SHORTCUTS = {'cutmix': dict(type='CutMixMask'), 'classmix': dict(type='ClassMixMask')}


def reweight_loss_dict(losses: dict, weight: float) -> dict:
    """Multiply every entry whose name contains ``'loss'`` by ``weight`` (other entries are logs)."""
    return {k: (v * weight if 'loss' in k else v) for k, v in losses.items()}


def rename_loss_dict(prefix: str, losses: dict) -> dict:
    """Prefix every key of ``losses``."""
    return {prefix + k: v for k, v in losses.items()}


def _step_seed(seed: int, step: int, rank: int) -> int:
    # a fixed 64-bit mix of (seed, step, rank): independent streams per step and per process
    x = (seed * 6364136223846793005 + step * 1442695040888963407 + rank * 2654435761 + 1) % (1 << 64)
    x ^= x >> 29
    return x % (1 << 63)


@MODELS.register_module()
class SemiBaseSegmentor(BaseSegmentor):
    """Student and EMA teacher built from one mmseg segmentor config, trained on labeled and unlabeled batches.

    Args:
        segmentor (dict): config of the segmentor (e.g. ``EncoderDecoder`` with a DeepLabV3+ head); the student
            and the teacher are two builds of it. Its ``_forward`` must return the decode head's logits
            (``EncoderDecoder`` does).
        semi_train_cfg (dict, optional): see :data:`DEFAULT_SEMI_TRAIN_CFG`; unspecified keys keep the class
            defaults (:attr:`default_semi_train_cfg`, which CutMix / ClassMix subclasses set to their papers').
            ``threshold`` overrides ``confidence.threshold``; ``mix`` is ``None``, ``'cutmix'``, ``'classmix'`` or
            a mask config such as ``dict(type='CutMixMask', area=0.5)``.
        semi_test_cfg (dict, optional): ``predict_on`` (``'teacher'``, the default, or ``'student'``): which
            network predicts, extracts features and runs ``mode='tensor'``.
        data_preprocessor (dict, optional): defaults to a
            :class:`~densessl.models.ssl.MultiBranchDataPreprocessor` wrapping the segmentor's own
            ``data_preprocessor``.
        init_cfg (dict, optional): initialisation config.

    A plain (non-semi) checkpoint of the segmentor loads into both the student and the teacher (keys without a
    ``student.`` / ``teacher.`` prefix are copied to both), so ``load_from`` may name a supervised run.

    Random draws of a training step (mixing masks, partners, dropout) come from a torch generator seeded with
    ``(seed, step, rank)``; the step counter and the seed are the buffer ``ssl_rng`` of the checkpoint, so a
    resumed run repeats the draws of an uninterrupted one. The global random state is left as it was.

    Raises:
        ValueError: unknown ``semi_train_cfg`` / ``semi_test_cfg`` keys or values; no ``data_preprocessor``.
    """

    #: class defaults of ``semi_train_cfg`` (CutMix / ClassMix subclasses override entries)
    default_semi_train_cfg: dict = DEFAULT_SEMI_TRAIN_CFG

    def __init__(self,
                 segmentor: ConfigType,
                 semi_train_cfg: OptConfigType = None,
                 semi_test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptMultiConfig = None) -> None:
        # ConfigDict all the way down: mmseg reads e.g. test_cfg.mode as attributes
        segmentor = ConfigDict(copy.deepcopy(dict(segmentor)))
        if data_preprocessor is None:
            if segmentor.get('data_preprocessor') is None:
                raise ValueError(f'{type(self).__name__}: give data_preprocessor or a segmentor config with one')
            data_preprocessor = dict(type='MultiBranchDataPreprocessor',
                                     data_preprocessor=copy.deepcopy(segmentor['data_preprocessor']))
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.student = MODELS.build(segmentor)
        self.teacher = MODELS.build(segmentor)

        cfg = self._merge_train_cfg(semi_train_cfg)
        self.semi_train_cfg = cfg
        test_cfg = dict(predict_on='teacher')
        test_cfg.update(dict(semi_test_cfg or {}))
        if test_cfg['predict_on'] not in ('teacher', 'student'):
            raise ValueError(f"semi_test_cfg.predict_on must be 'teacher' or 'student', got {test_cfg['predict_on']!r}")
        self.semi_test_cfg = test_cfg

        self.pseudo_labeler = MODELS.build(cfg['pseudo_label'])
        self.confidence_mask = MODELS.build(cfg['confidence'])
        self.unsup_loss = MODELS.build(cfg['unsup_loss'])
        self.mixer = None if cfg['mix'] is None else MODELS.build(cfg['mix'])
        if cfg['partner'] not in ('roll', 'random'):
            raise ValueError(f"semi_train_cfg.partner must be 'roll' or 'random', got {cfg['partner']!r}")
        if cfg['unsup_bn_stats'] not in ('frozen', 'update'):
            raise ValueError("semi_train_cfg.unsup_bn_stats must be 'frozen' or 'update', got "
                             f"{cfg['unsup_bn_stats']!r}")
        decode_head = getattr(self.student, 'decode_head', None)
        self.ignore_index = getattr(decode_head, 'ignore_index', 255)
        self.align_corners = getattr(decode_head, 'align_corners', False)
        if hasattr(self.unsup_loss, 'ignore_index'):
            self.unsup_loss.ignore_index = self.ignore_index
        if hasattr(self.mixer, 'ignore_index'):
            self.mixer.ignore_index = self.ignore_index

        seed = cfg['seed'] if cfg['seed'] is not None else int(torch.randint(0, 2**31 - 1, ()))
        # [base seed, training steps taken]: saved with the weights so that a resumed run repeats the draws
        self.register_buffer('ssl_rng', torch.tensor([int(seed), 0], dtype=torch.long))
        if cfg['freeze_teacher']:
            self.freeze(self.teacher)

    # ------------------------------------------------------------------ configuration
    def _merge_train_cfg(self, semi_train_cfg: OptConfigType) -> dict:
        cfg = copy.deepcopy(dict(self.default_semi_train_cfg))
        user = copy.deepcopy(dict(semi_train_cfg or {}))
        unknown = sorted(set(user) - set(DEFAULT_SEMI_TRAIN_CFG))
        if unknown:
            raise ValueError(f'{type(self).__name__}: unknown semi_train_cfg key(s) {unknown}; known keys: '
                             f'{sorted(DEFAULT_SEMI_TRAIN_CFG)}')
        for key, value in user.items():
            # component configs of the same type are updated, so dict(confidence=dict(mode='pixel')) works
            if isinstance(value, dict) and isinstance(cfg.get(key), dict) and \
                    value.get('type', cfg[key].get('type')) == cfg[key].get('type') and not value.get('_delete_'):
                cfg[key] = {**cfg[key], **value}
            else:
                cfg[key] = value
                if isinstance(value, dict):
                    cfg[key].pop('_delete_', None)
        if isinstance(cfg['mix'], str):
            if cfg['mix'] not in _MIX_SHORTCUTS:
                raise ValueError(f"semi_train_cfg.mix must be None, 'cutmix', 'classmix' or a mask config, "
                                 f"got {cfg['mix']!r}")
            cfg['mix'] = dict(_MIX_SHORTCUTS[cfg['mix']])
        if cfg['threshold'] is not None:
            cfg['confidence'] = {**cfg['confidence'], 'threshold': cfg['threshold']}
        return cfg

    @staticmethod
    def freeze(model: nn.Module) -> None:
        """No gradients and eval mode for ``model``."""
        model.eval()
        for param in model.parameters():
            param.requires_grad = False

    def train(self, mode: bool = True) -> 'SemiBaseSegmentor':
        """Set the training mode; a frozen teacher stays in eval mode (the runner calls ``train()`` every
        iteration)."""
        super().train(mode)
        if self.semi_train_cfg['freeze_teacher']:
            self.teacher.eval()
        return self

    @property
    def _predictor(self) -> nn.Module:
        return self.teacher if self.semi_test_cfg.get('predict_on', 'teacher') == 'teacher' else self.student

    @property
    def decode_head(self) -> nn.Module:
        """The decode head of the predicting network (for mmseg utilities that look for one)."""
        return self._predictor.decode_head

    # ------------------------------------------------------------------ randomness
    @property
    def ssl_step(self) -> int:
        """Training steps taken (the number of :meth:`loss` calls)."""
        return int(self.ssl_rng[1])

    @contextmanager
    def _step_rng(self, device: torch.device):
        seed = _step_seed(int(self.ssl_rng[0]), int(self.ssl_rng[1]), get_rank())
        if device.type == 'cpu':
            fork = torch.random.fork_rng(devices=[])
        else:
            index = device.index if device.index is not None else torch.get_device_module(device.type).current_device()
            fork = torch.random.fork_rng(devices=[index], device_type=device.type)
        with fork:
            torch.manual_seed(seed)
            yield
        self.ssl_rng[1] += 1

    # ------------------------------------------------------------------ training
    def loss(self, multi_batch_inputs: Dict[str, Tensor], multi_batch_data_samples: Dict[str, SampleList]) -> dict:
        """Supervised and consistency losses of a multi-branch batch.

        Args:
            multi_batch_inputs (dict[str, Tensor]): ``sup``, ``unsup_teacher``, ``unsup_student`` images
                ``(N, 3, H, W)``, normalised; the two unlabeled views share their geometry.
            multi_batch_data_samples (dict[str, list[SegDataSample]]): the samples of each branch (masks only in
                ``sup``).

        Returns:
            dict[str, Tensor]: ``sup_*`` (the segmentor's losses and accuracies), ``unsup_loss_cons`` and
            ``unsup_pixel_ratio`` (a log entry, not a loss).

        Raises:
            ValueError: a branch is missing from the batch, or the two unlabeled views differ in shape.
        """
        if not isinstance(multi_batch_inputs, dict):
            raise ValueError(f'{type(self).__name__} trains on multi-branch batches; end the training pipelines '
                             'with MultiBranch and use MultiBranchDataPreprocessor')
        missing = [b for b in BRANCHES if b not in multi_batch_inputs]
        if missing:
            raise ValueError(f'this training batch has no {missing} samples (branches present: '
                             f'{sorted(multi_batch_inputs)}): use MultiSourceSampler with batch_size equal to the '
                             "dataloader's and a source_ratio giving every source at least one sample per batch")
        weak, strong = multi_batch_inputs['unsup_teacher'], multi_batch_inputs['unsup_student']
        if weak.shape != strong.shape:
            raise ValueError(f'the teacher and student views differ in shape ({tuple(weak.shape)} vs '
                             f'{tuple(strong.shape)}): geometric transforms must come before MultiBranch')
        with self._step_rng(weak.device):
            losses = self.loss_by_gt(multi_batch_inputs['sup'], multi_batch_data_samples['sup'])
            losses.update(self.loss_by_pseudo_labels(weak, strong, multi_batch_data_samples['unsup_teacher']))
        return losses

    def loss_by_gt(self, inputs: Tensor, data_samples: SampleList) -> dict:
        """The student's supervised losses, weighted by ``sup_weight`` and prefixed ``sup_``."""
        losses = self.student.loss(inputs, data_samples)
        return rename_loss_dict('sup_', reweight_loss_dict(losses, self.semi_train_cfg['sup_weight']))

    @staticmethod
    def valid_mask(inputs: Tensor, data_samples: Optional[SampleList]) -> Tensor:
        """``(N, H, W)`` bool: the pixels of each image that are not padding (from ``img_shape``)."""
        n, _, h, w = inputs.shape
        valid = torch.ones(n, h, w, dtype=torch.bool, device=inputs.device)
        for i, sample in enumerate(data_samples or []):
            img_shape = sample.metainfo.get('img_shape') if hasattr(sample, 'metainfo') else None
            if img_shape is not None:
                ih, iw = int(img_shape[0]), int(img_shape[1])
                valid[i, ih:, :] = False
                valid[i, :, iw:] = False
        return valid

    def _logits(self, model: nn.Module, inputs: Tensor) -> Tensor:
        logits = model._forward(inputs)
        if isinstance(logits, (list, tuple)):
            logits = logits[0]
        return resize(logits, size=inputs.shape[2:], mode='bilinear', align_corners=self.align_corners)

    @torch.no_grad()
    def teacher_logits(self, inputs: Tensor) -> Tensor:
        """Teacher logits ``(N, C, H, W)`` at input resolution (no gradient)."""
        return self._logits(self.teacher, inputs)

    def student_logits_unsup(self, inputs: Tensor) -> Tensor:
        """Student logits ``(N, C, H, W)`` on unlabeled (strong, mixed) views; with ``unsup_bn_stats='frozen'`` the
        batch-norm running statistics are left as the supervised pass set them (:func:`frozen_bn_stats`)."""
        frozen = self.semi_train_cfg['unsup_bn_stats'] == 'frozen'
        with frozen_bn_stats(self.student) if frozen else nullcontext():
            return self._logits(self.student, inputs)

    def mix(self, labels: Tensor, tensors: Dict[str, Tensor]) -> Tuple[Dict[str, Tensor], Optional[Tensor]]:
        """Mix every tensor of ``tensors`` with one mask drawn for ``labels`` (the source images' pseudo-labels);
        returns the mixed tensors and the mask (``None`` when mixing is off)."""
        if self.mixer is None:
            return tensors, None
        mask = self.mixer(labels)
        perm = partner_permutation(labels.shape[0], self.semi_train_cfg['partner'], labels.device)
        return {k: mix_batch(mask, v, perm) for k, v in tensors.items()}, mask

    def loss_by_pseudo_labels(self, weak: Tensor, strong: Tensor, data_samples: Optional[SampleList]) -> dict:
        """The consistency loss on unlabeled images (see the module docstring).

        Returns:
            dict[str, Tensor]: ``unsup_loss_cons`` (times ``unsup_weight``) and ``unsup_pixel_ratio``.
        """
        valid = self.valid_mask(weak, data_samples)
        pl = self.pseudo_labeler(self.teacher_logits(weak))
        labels = pl.labels.masked_fill(~valid, self.ignore_index)
        tensors = dict(inputs=strong, labels=labels, confidence=pl.confidence, valid=valid)
        soft = getattr(self.unsup_loss, 'needs_soft_target', False)
        if soft:
            tensors['probs'] = pl.probs
        mixed, _ = self.mix(labels, tensors)
        conf = self.confidence_mask(mixed['confidence'], mixed['labels'], mixed['valid'])
        student_logits = self.student_logits_unsup(mixed['inputs'])
        target = mixed['probs'] if soft else mixed['labels']
        loss = self.unsup_loss(student_logits, target, weight=conf.weight, valid=mixed['valid'])
        return dict(unsup_loss_cons=loss * self.semi_train_cfg['unsup_weight'],
                    unsup_pixel_ratio=conf.ratio.detach())

    # ------------------------------------------------------------------ inference
    def predict(self, inputs: Tensor, data_samples: Optional[SampleList] = None) -> SampleList:
        """Predictions of the teacher (or the student, with ``semi_test_cfg.predict_on='student'``)."""
        return self._predictor.predict(inputs, data_samples)

    def _forward(self, inputs: Tensor, data_samples: Optional[SampleList] = None):
        return self._predictor._forward(inputs, data_samples)

    def extract_feat(self, inputs: Tensor) -> List[Tensor]:
        return self._predictor.extract_feat(inputs)

    def encode_decode(self, inputs: Tensor, batch_img_metas: List[dict]) -> Tensor:
        return self._predictor.encode_decode(inputs, batch_img_metas)

    # ------------------------------------------------------------------ checkpoints
    def _load_from_state_dict(self, state_dict: dict, prefix: str, local_metadata: dict, strict: bool,
                              missing_keys: Union[List[str], str], unexpected_keys: Union[List[str], str],
                              error_msgs: Union[List[str], str]) -> None:
        """Load a plain segmentor checkpoint into both networks: when no key under ``prefix`` starts with
        ``student.`` or ``teacher.``, each key is copied to ``student.<key>`` and ``teacher.<key>``."""
        own = [k for k in state_dict if k.startswith(prefix)]
        rel = [k[len(prefix):] for k in own]
        if own and not any(r.startswith(('student.', 'teacher.')) for r in rel):
            for key, r in zip(own, rel):
                if r == 'ssl_rng':
                    continue
                value = state_dict.pop(key)
                state_dict[f'{prefix}student.{r}'] = value
                state_dict[f'{prefix}teacher.{r}'] = value
            # a plain checkpoint has no step counter: keep ours rather than report it missing
            state_dict.setdefault(prefix + 'ssl_rng', self.ssl_rng.detach().clone())
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                      error_msgs)
