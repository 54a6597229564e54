import pytest
import torch
from mmseg.models import SegDataPreProcessor
from mmseg.structures import SegDataSample
from mmengine.structures import PixelData

from densessl.models.ssl import MultiBranchDataPreprocessor


def _sample(h, w, with_mask):
    s = SegDataSample(metainfo=dict(img_shape=(h, w), ori_shape=(h, w)))
    if with_mask:
        s.gt_sem_seg = PixelData(data=torch.ones(1, h, w, dtype=torch.long))
    return s


def test_branches_are_split_padded_and_normalised():
    pre = MultiBranchDataPreprocessor(dict(type='mmseg.SegDataPreProcessor', mean=[10, 10, 10], std=[2, 2, 2],
                                           size=(8, 8), seg_pad_val=255))
    img = torch.full((3, 6, 8), 20, dtype=torch.uint8)
    batch = {
        'inputs': {'sup': [img, None, None], 'unsup_teacher': [None, img, img], 'unsup_student': [None, img, img]},
        'data_samples': {'sup': [_sample(6, 8, True), None, None],
                         'unsup_teacher': [None, _sample(6, 8, False), _sample(6, 8, False)],
                         'unsup_student': [None, _sample(6, 8, False), _sample(6, 8, False)]},
    }
    out = pre(batch, training=True)
    assert {k: tuple(v.shape) for k, v in out['inputs'].items()} == \
        {'sup': (1, 3, 8, 8), 'unsup_teacher': (2, 3, 8, 8), 'unsup_student': (2, 3, 8, 8)}
    assert torch.allclose(out['inputs']['sup'][0, :, :6], torch.full((3, 6, 8), 5.0))
    assert (out['inputs']['sup'][0, :, 6:] == 0).all()  # padding
    gt = out['data_samples']['sup'][0].gt_sem_seg.data
    assert gt.shape == (1, 8, 8) and (gt[:, 6:] == 255).all()
    # unlabeled samples keep their real size for the validity mask
    assert tuple(out['data_samples']['unsup_teacher'][0].img_shape) == (6, 8)


def test_eval_mode_is_the_wrapped_preprocessor():
    inner = SegDataPreProcessor(mean=[0, 0, 0], std=[1, 1, 1])
    pre = MultiBranchDataPreprocessor(inner)
    out = pre({'inputs': [torch.zeros(3, 4, 4)], 'data_samples': [_sample(4, 4, False)]}, training=False)
    assert out['inputs'].shape == (1, 3, 4, 4)
    assert pre.device == inner.device


def test_plain_training_batch_is_refused():
    pre = MultiBranchDataPreprocessor(SegDataPreProcessor(size=(4, 4)))
    with pytest.raises(ValueError, match='MultiBranch'):
        pre({'inputs': [torch.zeros(3, 4, 4)], 'data_samples': [_sample(4, 4, True)]}, training=True)
