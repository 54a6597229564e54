"""VolumeMetric / volume_scores against hand-computed Dice, IoU and HD95 on tiny volumes, incl. empty classes."""
import math

import numpy as np
import pytest
import torch

from densessl.evaluation.volume_metric import VolumeMetric, volume_scores


def _vol(depth=3, h=8, w=8):
    return np.zeros((depth, h, w), np.uint8)


def test_dice_iou_hd95_hand_computed_3d():
    """Class 1: GT a 2x2x2 cube, prediction the same cube plus one voxel layer in x (2x2x3):
    Dice = 2*8/(8+12) = 0.8, IoU = 8/12; every predicted surface voxel is within 1 of the GT and vice versa, the
    extra layer at distance exactly 1 -> HD95 = 1. Class 2: one voxel each, 3 voxels apart along y -> Dice 0,
    HD95 3. Class 3: identical -> Dice 1, HD95 0."""
    gt, pred = _vol(4, 8, 8), _vol(4, 8, 8)
    gt[1:3, 1:3, 1:3] = 1
    pred[1:3, 1:3, 1:4] = 1
    gt[3, 6, 1], pred[3, 3, 1] = 2, 2
    gt[0, 6, 6], pred[0, 6, 6] = 3, 3
    s = volume_scores(pred, gt, num_classes=4)
    np.testing.assert_allclose(s['Dice'], [0.8, 0.0, 1.0])
    np.testing.assert_allclose(s['IoU'], [8 / 12, 0.0, 1.0])
    np.testing.assert_allclose(s['HD95'], [1.0, 3.0, 0.0])


def test_spacing_scales_hd95():
    """The class-2 voxels are 3 apart along axis 1 (H); a spacing of 2.5 on that axis gives 7.5."""
    gt, pred = _vol(4, 8, 8), _vol(4, 8, 8)
    gt[3, 6, 1], pred[3, 3, 1] = 1, 1
    assert volume_scores(pred, gt, 2, spacing=(1.0, 2.5, 1.0))['HD95'][0] == pytest.approx(7.5)
    assert volume_scores(pred, gt, 2, spacing=(4.0, 1.0, 1.0))['HD95'][0] == pytest.approx(3.0)


def test_empty_prediction_and_empty_ground_truth():
    """Class 1 present in the GT only (missed), class 2 predicted but absent from the GT (false positive),
    class 3 absent from both."""
    gt, pred = _vol(3, 5, 6), _vol(3, 5, 6)
    gt[1, 1:3, 1:3] = 1
    pred[2, 0, 0] = 2
    s = volume_scores(pred, gt, num_classes=4)
    diagonal = math.sqrt(2**2 + 4**2 + 5**2)  # (D-1, H-1, W-1) = (2, 4, 5)
    assert s['Dice'][0] == 0 and s['IoU'][0] == 0 and s['HD95'][0] == pytest.approx(diagonal)
    assert s['Dice'][1] == 0 and s['HD95'][1] == pytest.approx(diagonal)
    assert np.isnan(s['Dice'][2]) and np.isnan(s['IoU'][2]) and np.isnan(s['HD95'][2])
    s = volume_scores(pred, gt, num_classes=4, empty_hd95='nan')
    assert np.isnan(s['HD95']).all() and s['Dice'][0] == 0
    assert volume_scores(pred, gt, num_classes=4, empty_hd95=99.)['HD95'][1] == 99.


def test_ignore_pixels_count_for_neither():
    gt, pred = np.zeros((4, 4), np.uint8), np.zeros((4, 4), np.uint8)
    gt[0, :2] = 1
    gt[0, 2:] = 255  # predicted as class 1 but ignored
    pred[0, :] = 1
    s = volume_scores(pred[None], gt[None], num_classes=2)
    assert s['Dice'][0] == pytest.approx(1.0) and s['HD95'][0] == 0
    assert volume_scores(pred[None], gt[None], 2, ignore_index=None)['Dice'][0] == pytest.approx(2 * 2 / (4 + 2))


def test_background_included_on_request_and_errors():
    gt, pred = np.zeros((1, 4, 4), np.uint8), np.zeros((1, 4, 4), np.uint8)
    gt[0, 0, 0] = 1
    assert len(volume_scores(pred, gt, 2, include_background=True)['Dice']) == 2
    with pytest.raises(ValueError, match='shape'):
        volume_scores(pred, gt[:, :3], 2)
    with pytest.raises(ValueError, match='unknown metric'):
        volume_scores(pred, gt, 2, metrics=['ASD'])
    with pytest.raises(ValueError, match='empty_hd95'):
        VolumeMetric(empty_hd95='worst')


def _sample(pred, gt, **meta):
    return dict(pred_sem_seg=dict(data=torch.from_numpy(pred)[None]), gt_sem_seg=dict(data=torch.from_numpy(gt)[None]),
                **meta)


def _metric(**kwargs):
    metric = VolumeMetric(**kwargs)
    metric.dataset_meta = dict(classes=('background', 'a', 'b'))
    return metric


def test_metric_regroups_shuffled_slices_and_averages_over_volumes():
    """Volume A: class a perfect, class b missed (Dice 0). Volume B: class a Dice 0.5, class b absent from both.
    Per class over volumes: a = (1 + 0.5) / 2, b = 0 (one volume); mean over classes = (0.75 + 0) / 2."""
    vol_a_gt, vol_a_pred = _vol(2, 4, 4), _vol(2, 4, 4)
    vol_a_gt[0, :2, :2] = vol_a_pred[0, :2, :2] = 1
    vol_a_gt[1, 3, 3] = 2
    vol_b_gt, vol_b_pred = _vol(3, 4, 4), _vol(3, 4, 4)
    vol_b_gt[2, 0, :2] = 1
    vol_b_pred[2, 0, 1:3] = 1
    samples = [_sample(vol_a_pred[k], vol_a_gt[k], volume_id='A', slice_index=k, num_slices=2) for k in range(2)]
    samples += [_sample(vol_b_pred[k], vol_b_gt[k], volume_id='B', slice_index=k, num_slices=3) for k in range(3)]
    metric = _metric()
    for i in (4, 1, 2, 0, 3):  # slices arrive in any order, volumes interleaved
        metric.process({}, [samples[i]])
    out = metric.compute_metrics(metric.results)
    assert out['num_volumes'] == 2
    assert out['Dice.a'] == pytest.approx(75.0) and out['Dice.b'] == pytest.approx(0.0)
    assert out['mDice'] == pytest.approx(37.5)
    assert out['IoU.a'] == pytest.approx(100 * (1 + 1 / 3) / 2, abs=0.01)
    diag_a = math.sqrt(1 + 9 + 9)
    assert out['HD95.b'] == pytest.approx(round(diag_a, 2))
    rows = {r['class']: r for r in metric.class_table}
    assert rows['b']['Dice volumes'] == 1 and rows['a']['Dice volumes'] == 2
    assert [r['volume'] for r in metric.volume_table] == ['A', 'B']
    assert np.isnan(metric.volume_table[1]['Dice.b'])


def test_incomplete_volume_is_an_error():
    metric = _metric()
    gt = _vol(1, 4, 4)[0]
    metric.process({}, [_sample(gt, gt, volume_id='A', slice_index=0, num_slices=3),
                        _sample(gt, gt, volume_id='A', slice_index=2, num_slices=3)])
    with pytest.raises(ValueError, match=r'volume A has 2 of its 3 slices \(missing \[1\]\)'):
        metric.compute_metrics(metric.results)


def test_images_without_volume_keys_are_scored_one_by_one():
    """2D data: each image its own volume (per-image Dice), e.g. ISIC."""
    gt1, gt2 = np.zeros((4, 4), np.uint8), np.zeros((4, 4), np.uint8)
    gt1[:2, :2] = 1
    gt2[:, :] = 2
    metric = _metric(scores=['Dice'])
    metric.process({}, [_sample(gt1, gt1, img_path='x.png'), _sample(np.zeros_like(gt2), gt2, img_path='y.png')])
    out = metric.compute_metrics(metric.results)
    assert out['num_volumes'] == 2 and out['Dice.a'] == 100.0 and out['Dice.b'] == 0.0 and 'mHD95' not in out
