"""Per-class report tables and overlay images (densessl.evaluation.report)."""
import csv
import json

import numpy as np
import pytest
import torch

from densessl.evaluation.report import (format_class_table, iou_class_table, merge_class_tables, overlay_panels,
                                        to_display_image, write_class_table)


def test_iou_class_table_sums_images_before_dividing():
    """Two images: class 1 intersect 2+0, union 4+2, pred 3+1, label 3+1 -> IoU 2/6, Dice 4/8, Acc 2/4."""
    results = [(torch.tensor([5., 2.]), torch.tensor([7., 4.]), torch.tensor([6., 3.]), torch.tensor([6., 3.])),
               (torch.tensor([4., 0.]), torch.tensor([6., 2.]), torch.tensor([5., 1.]), torch.tensor([5., 1.]))]
    rows = iou_class_table(results, ('bg', 'fg'))
    assert rows[1] == {'class': 'fg', 'IoU': round(100 / 3, 2), 'Dice': 50.0, 'Acc': 50.0}


def test_write_table_json_csv_with_missing_and_nan(tmp_path):
    columns, rows = merge_class_tables([('IoUMetric', [{'class': 'bg', 'IoU': 90.0}, {'class': 'fg', 'IoU': 50.0}]),
                                        ('VolumeMetric', [{'class': 'fg', 'HD95': float('nan')}])])
    write_class_table(columns, rows, str(tmp_path / 't.json'), str(tmp_path / 't.csv'))
    assert json.loads((tmp_path / 't.json').read_text()) == [{'class': 'bg', 'IoU': 90.0, 'HD95': None},
                                                             {'class': 'fg', 'IoU': 50.0, 'HD95': None}]
    assert list(csv.reader(open(tmp_path / 't.csv'))) == [['class', 'IoU', 'HD95'], ['bg', '90.0', ''],
                                                          ['fg', '50.0', '']]
    text = format_class_table(columns, rows)
    assert text.splitlines()[2] == '| bg | 90.00 | - |' and text.splitlines()[3] == '| fg | 50.00 | nan |'


def test_overlay_panels_colours_only_labelled_pixels():
    img = np.full((2, 3, 3), 100, np.uint8)
    gt = np.array([[0, 1, 255], [2, 2, 0]])
    pred = np.array([[1, 1, 1], [0, 0, 0]])
    out = overlay_panels(img, gt, pred, [[0, 0, 0], [200, 0, 0], [0, 200, 0]], alpha=0.5)
    assert out.shape == (2, 9, 3)
    assert (out[:, :3] == img).all()  # the image panel
    assert out[0, 3].tolist() == [100, 100, 100] and out[0, 5].tolist() == [100, 100, 100]  # background, ignore
    assert out[0, 4].tolist() == [150, 50, 50] and out[1, 3].tolist() == [50, 150, 50]
    assert out[0, 6:].tolist() == [[150, 50, 50]] * 3 and out[1, 6:].tolist() == [[100, 100, 100]] * 3
    with pytest.raises(ValueError, match='differ in size'):
        overlay_panels(img, gt[:, :2], pred, [[0, 0, 0]])


def test_display_image_from_network_inputs():
    bgr = np.zeros((3, 2, 2), np.uint8)
    bgr[0] = 255  # blue in BGR order
    assert to_display_image(bgr)[0, 0].tolist() == [0, 0, 255]
    assert to_display_image(bgr, bgr=False)[0, 0].tolist() == [255, 0, 0]
    wide = np.array([[-1.0, 3.0]], np.float32)[None]  # (1, 1, 2): a normalised one-channel input
    assert to_display_image(wide)[0].tolist() == [[0, 0, 0], [255, 255, 255]]
