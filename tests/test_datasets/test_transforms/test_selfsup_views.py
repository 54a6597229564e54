"""Two-view pipelines that record each view's crop box and flip (densessl.datasets.transforms.selfsup_views)."""
import mmcv
import numpy as np
import pytest
import torch
from mmcv.transforms import Compose
from mmengine.config import Config
from PIL import Image

from densessl.datasets.transforms import PackViewInputs, RandomResizedCropWithBox, SelfSupViews
from densessl.models.selfsup import pixpro_positive_mask, views_to_coords
from densessl.utils import register_all_modules


@pytest.fixture(autouse=True)
def scope():
    register_all_modules()


def coord_image(h=60, w=80):
    """Pixel (y, x) holds (x, y, 7): every pixel says where it came from."""
    ys, xs = np.mgrid[:h, :w]
    return np.stack([xs, ys, np.full_like(xs, 7)], -1).astype(np.uint8)


def test_crop_box_is_recorded_in_source_coordinates():
    np.random.seed(0)
    img = coord_image()
    crop = RandomResizedCropWithBox(scale=20, crop_ratio_range=(0.2, 0.6), interpolation='nearest')
    for _ in range(5):
        out = crop(dict(img=img.copy()))
        x0, y0, x1, y1 = out['crop_bbox']
        assert out['img'].shape == (20, 20, 3) and out['crop_src_shape'] == (60, 80)
        assert 0 <= x0 < x1 <= 79 and 0 <= y0 < y1 <= 59
        assert tuple(out['img'][0, 0, :2]) == (x0, y0)  # the top-left output pixel is the box corner
        # the view is exactly the box of the source, resized
        region = img[int(y0):int(y1) + 1, int(x0):int(x1) + 1]
        np.testing.assert_array_equal(out['img'], mmcv.imresize(region, (20, 20), interpolation='nearest'))


def test_views_record_flips_and_pack():
    np.random.seed(0)
    view1 = [dict(type='RandomResizedCropWithBox', scale=16, interpolation='nearest')]
    view2 = view1 + [dict(type='RandomFlip', prob=1., direction='horizontal')]
    pipeline = Compose([
        dict(type='SelfSupViews', num_views=[1, 1], transforms=[view1, view2]),
        dict(type='PackViewInputs'),
    ])
    packed = pipeline(dict(img=coord_image(), img_path='x.png', ori_shape=(60, 80)))
    inputs, sample = packed['inputs'], packed['data_samples']
    assert isinstance(inputs, list) and [tuple(t.shape) for t in inputs] == [(3, 16, 16), (3, 16, 16)]
    assert sample.view_bboxes.shape == (2, 4) and sample.view_bboxes.dtype == np.float32
    assert sample.view_flips.tolist() == [False, True] and sample.view_vflips.tolist() == [False, False]
    assert sample.view_src_shapes.tolist() == [[60, 80], [60, 80]]
    # the flipped view shows its box's right edge on the left: PixPro's coordinates say so (x0/x1 swapped)
    x0, y0, x1, _ = sample.view_bboxes[1]
    assert int(inputs[1][0, 0, -1]) == x0 and int(inputs[1][1, 0, 0]) == y0
    assert int(inputs[1][0, 0, 0]) > int(inputs[1][0, 0, -1])
    coords = views_to_coords(torch.as_tensor(sample.view_bboxes), torch.as_tensor(sample.view_flips),
                             torch.as_tensor(sample.view_src_shapes))
    assert coords[1, 0] > coords[1, 2] and coords[0, 0] < coords[0, 2]


def test_same_crop_flipped_gives_mirrored_positives():
    """Both views cut the same box, one flipped: the positives are the mirror pixels, as the geometry says."""
    img = coord_image(64, 64)
    v1 = [dict(type='RandomResizedCropWithBox', scale=32, crop_ratio_range=(1., 1.), aspect_ratio_range=(1., 1.))]
    v2 = v1 + [dict(type='RandomFlip', prob=1., direction='horizontal')]
    out = SelfSupViews(transforms=[v1, v2], num_views=[1, 1])(dict(img=img))
    np.testing.assert_array_equal(out['img'][1], out['img'][0][:, ::-1])
    b, f, s = (torch.as_tensor(out[k]) for k in ('view_bboxes', 'view_flips', 'view_src_shapes'))
    coords = views_to_coords(b, f, s)
    mask = pixpro_positive_mask(coords[:1], coords[1:], (4, 4))[0]
    expected = torch.zeros(16, 16, dtype=torch.bool)
    for y in range(4):
        for x in range(4):
            expected[y * 4 + x, y * 4 + 3 - x] = True
    assert torch.equal(mask, expected)


def test_a_view_without_crop_box_is_an_error():
    views = SelfSupViews(transforms=[[dict(type='RandomFlip', prob=1.)]], num_views=2)
    with pytest.raises(KeyError, match='RandomResizedCropWithBox'):
        views(dict(img=coord_image()))
    lenient = SelfSupViews(transforms=[[dict(type='RandomFlip', prob=1.)]], num_views=2, require_box=False)
    out = lenient(dict(img=coord_image()))
    assert out['view_bboxes'].tolist() == [[0, 0, 79, 59]] * 2 and out['view_flips'].tolist() == [True, True]


@pytest.mark.parametrize('config', ['configs/_base_/datasets/pixpro_views.py',
                                    'configs/pixpro/pixpro_r18-d16_1xb32-300it_demo-96x96.py'])
def test_config_pipelines_run(tmp_path, config):
    """The configs' pipelines (mmpretrain colour jitter, grayscale, blur, solarize inside mmcv RandomApply) build
    under the densessl scope and produce two views with their geometry."""
    cfg = Config.fromfile(config)
    pipeline = cfg.get('train_pipeline') or cfg.train_dataloader.dataset.pipeline
    path = tmp_path / 'img.png'
    Image.fromarray((np.random.default_rng(0).random((130, 150, 3)) * 255).astype(np.uint8)).save(path)
    packed = Compose(pipeline)(dict(img_path=str(path)))
    size = cfg.get('crop_size', 224)
    assert [tuple(t.shape) for t in packed['inputs']] == [(3, size, size)] * 2
    assert packed['data_samples'].view_src_shapes.tolist() == [[130, 150]] * 2
    assert isinstance(PackViewInputs(), PackViewInputs) and isinstance(SelfSupViews([[]], 1), SelfSupViews)


def test_color_jitter_hue_works_with_numpy2():
    from densessl.datasets.transforms.selfsup_views import ColorJitter, adjust_hue
    red = np.zeros((4, 4, 3), np.uint8)
    red[..., 2] = 255  # BGR
    cyan = adjust_hue(red, 0.5)
    assert cyan[0, 0, 2] < 10 and cyan[0, 0, 0] > 245 and cyan[0, 0, 1] > 245
    # -0.1 turns red towards magenta (blue rises), +0.1 towards orange (green rises); they undo each other
    minus, plus = adjust_hue(red, -0.1), adjust_hue(red, 0.1)
    assert minus[0, 0, 0] > 100 and minus[0, 0, 1] < 10 and plus[0, 0, 1] > 100 and plus[0, 0, 0] < 10
    assert np.abs(adjust_hue(plus, -0.1).astype(int) - red).max() <= 8
    assert np.abs(adjust_hue(red, 0.).astype(int) - red).max() <= 1
    np.random.seed(0)
    jitter = ColorJitter(brightness=0.4, contrast=0.4, saturation=0.2, hue=0.1)
    img = (np.random.rand(16, 16, 3) * 255).astype(np.uint8)
    outs = [jitter(dict(img=img.copy()))['img'] for _ in range(20)]  # negative hue factors included
    assert all(o.shape == img.shape and o.dtype == np.uint8 for o in outs)
    assert any(np.abs(o.astype(int) - img).max() > 10 for o in outs)
