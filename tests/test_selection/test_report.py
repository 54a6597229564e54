"""Contact sheet geometry and class coverage counted on hand-made masks."""
import numpy as np
import pytest
from PIL import Image

from densessl.selection.report import class_coverage, contact_sheet


def test_contact_sheet_grid_and_thumbnails(tmp_path):
    paths = []
    for i, colour in enumerate(('red', 'blue', 'green')):
        p = str(tmp_path / f'{i}.png')
        Image.new('RGB', (40, 20), colour).save(p)
        paths.append(p)
    sheet = contact_sheet(paths, thumb=32, columns=2, title='t')
    # 2 columns of (32 + 4) px + 4; title 16 px + 2 rows of (32 + 12 + 4) + 4
    assert sheet.size == (76, 16 + 2 * 48 + 4)
    # the first thumbnail (40x20 fitted to 32x16) is centred in its cell: red at the cell centre
    assert sheet.getpixel((4 + 16, 16 + 4 + 16)) == (255, 0, 0)
    assert sheet.getpixel((4 + 36 + 16, 16 + 4 + 16)) == (0, 0, 255)
    with pytest.raises(ValueError, match='no image'):
        contact_sheet([])
    with pytest.raises(ValueError, match='cannot read image'):
        contact_sheet([str(tmp_path / 'missing.png')])


def test_class_coverage_counts_images_and_pixels(tmp_path):
    a = np.array([[0, 0], [1, 255]], np.uint8)
    b = np.array([[0, 2], [2, 2]], np.uint8)
    paths = [str(tmp_path / 'a.png'), str(tmp_path / 'b.png')]
    for p, m in zip(paths, (a, b)):
        Image.fromarray(m).save(p)
    cov = class_coverage(paths, num_classes=4)
    assert cov['images'] == [2, 1, 1, 0]
    assert cov['pixels'] == [3, 1, 3, 0]
    assert cov['pixel_share'] == pytest.approx([3 / 7, 1 / 7, 3 / 7, 0])
    Image.fromarray(np.full((2, 2), 7, np.uint8)).save(str(tmp_path / 'bad.png'))
    with pytest.raises(ValueError, match='bad.png: mask value 7'):
        class_coverage([str(tmp_path / 'bad.png')], num_classes=4)
    with pytest.raises(FileNotFoundError, match='nope.png'):
        class_coverage([str(tmp_path / 'nope.png')], 4)
