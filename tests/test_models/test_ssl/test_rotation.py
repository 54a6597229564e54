"""Rotation views (RotNet, S4L-Rotation): each copy is its image turned by its label's quarter turns."""
import numpy as np
import pytest
import torch

from densessl.models.ssl import NUM_ROTATIONS, rotate_batch


def test_rotation_labels_match_rotated_images():
    # image 0: a marker in the top-left corner; image 1: a marker in the middle of the top row
    x = torch.zeros(2, 1, 3, 3)
    x[0, 0, 0, 0] = 1
    x[1, 0, 0, 1] = 1
    rot, labels = rotate_batch(x)
    assert labels.tolist() == [0, 0, 1, 1, 2, 2, 3, 3] and rot.shape == (NUM_ROTATIONS * 2, 1, 3, 3)
    # counter-clockwise quarter turns: top-left -> bottom-left -> bottom-right -> top-right
    where0 = {0: (0, 0), 1: (2, 0), 2: (2, 2), 3: (0, 2)}
    where1 = {0: (0, 1), 1: (1, 0), 2: (2, 1), 3: (1, 2)}
    for k in range(4):
        for i, where in ((0, where0), (1, where1)):
            img = rot[k * 2 + i, 0]
            assert img.sum() == 1 and img[where[k]] == 1, (k, i)
            np.testing.assert_array_equal(img.numpy(), np.rot90(x[i, 0].numpy(), k))
    with pytest.raises(ValueError, match='square'):
        rotate_batch(torch.zeros(1, 1, 2, 3))
