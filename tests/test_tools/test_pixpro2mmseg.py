"""tools/model_converters/pixpro2mmseg.py on checkpoints written in the two layouts zdaxie/PixPro produces: the raw
``main_pretrain.py`` checkpoint (``opt`` Namespace, optimizer, scheduler, epoch) and the ``publish_model.py`` output
(only ``model``), both with the DDP ``module.encoder.*`` keys of PixPro's torchvision-layout ResNet."""
import argparse
import os
import os.path as osp

import pytest
import torch
import torch.nn as nn
import torchvision

from densessl.apis import StemMismatchError
from densessl.registry import MODELS
from densessl.utils import register_all_modules
from tests.helpers.fixtures import load_tool

conv = load_tool('tools/model_converters/pixpro2mmseg.py')


@pytest.fixture(autouse=True, scope='module')
def _registry():
    register_all_modules()


def _pixpro_state(encoder: nn.Module, seed: int = 0) -> dict:
    """PixPro's DDP state dict: online and momentum encoders (different weights), projector, value transform."""
    torch.manual_seed(seed)
    enc = {k: v.clone() for k, v in encoder.state_dict().items()}
    enc_k = {k: (v + 1.0 if v.is_floating_point() else v.clone()) for k, v in enc.items()}
    state = {f'module.encoder.{k}': v for k, v in enc.items()}
    state.update({f'module.encoder_k.{k}': v for k, v in enc_k.items()})
    state.update({'module.projector.linear1.weight': torch.randn(16, 512, 1, 1),
                  'module.projector.bn1.running_mean': torch.zeros(16),
                  'module.projector_k.linear1.weight': torch.randn(16, 512, 1, 1),
                  'module.value_transform.weight': torch.randn(16, 16, 1, 1)})
    return state


def _torchvision_r18():
    torch.manual_seed(0)
    net = torchvision.models.resnet18()
    del net.fc  # PixPro's encoder (head_type='early_return') has no classifier
    for m in net.modules():  # non-trivial BN statistics, so a wrong mapping cannot pass by accident
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-1, 1)
            m.running_var.uniform_(0.5, 2)
    return net


def _raw_checkpoint(path, encoder, arch='resnet18'):
    opt = argparse.Namespace(arch=arch, model='PixPro', base_lr=1.0, pixpro_p=2.0, epochs=400)
    torch.save({'opt': opt, 'model': _pixpro_state(encoder), 'optimizer': {'state': {}, 'param_groups': []},
                'scheduler': {'last_epoch': 5}, 'epoch': 400}, path)


def _published(src, dst):
    """What PixPro's publish_model.py writes: the checkpoint without opt/optimizer/scheduler/epoch/amp."""
    ckpt = torch.load(src, map_location='cpu', weights_only=False)
    for key in ['opt', 'optimizer', 'scheduler', 'epoch', 'amp']:
        if ckpt.get(key):
            del ckpt[key]
    torch.save(ckpt, dst)


@pytest.mark.parametrize('published', [False, True])
def test_both_pixpro_layouts_load_into_mmseg_resnet_exactly(tmp_path, published):
    net = _torchvision_r18()
    raw = str(tmp_path / 'ckpt_epoch_400.pth')
    _raw_checkpoint(raw, net)
    src = raw
    if published:
        src = str(tmp_path / 'pixpro_base_r18_400ep.pth')
        _published(raw, src)
        assert set(torch.load(src, weights_only=False)) == {'model'}
    out = str(tmp_path / 'out' / 'backbone.pth')
    assert conv.main([src, out]) == 0
    saved = torch.load(out, map_location='cpu', weights_only=True)
    weights, meta = saved['state_dict'], saved['meta']
    assert meta['depth'] == 18 and meta['stem'] == 'plain' and meta['backbone_type'] == 'ResNet'
    assert meta['epoch'] == (None if published else 400) and meta['pixpro_arch'] == (None if published else 'resnet18')
    # exactly the online encoder, bare torchvision keys, nothing of the projector / momentum encoder
    assert set(weights) == set(net.state_dict())
    for k, v in net.state_dict().items():
        assert torch.equal(weights[k], v), k
    # an mmseg ResNet-18 loads it with no missing or unexpected key and computes the same features
    bb = MODELS.build(dict(type='ResNet', depth=18, out_indices=(3, )))
    result = bb.load_state_dict(weights, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    bb.eval()
    net.eval()
    x = torch.randn(1, 3, 64, 64)
    ref = net.layer4(net.layer3(net.layer2(net.layer1(net.maxpool(net.relu(net.bn1(net.conv1(x))))))))
    assert torch.allclose(bb(x)[0], ref, atol=1e-5)
    assert not [f for f in os.listdir(tmp_path / 'out') if f.endswith('.tmp')]


def test_target_encoder_and_check_config(tmp_path):
    net = _torchvision_r18()
    raw = str(tmp_path / 'ckpt.pth')
    _raw_checkpoint(raw, net)
    out = conv.convert_pixpro(raw, str(tmp_path / 't.pth'), source='target')
    assert torch.equal(out['conv1.weight'], net.conv1.weight + 1.0)  # encoder_k, not encoder
    # the segmenter's plain-stem, dilated backbone loads it; the deep-stem V1c refuses (stem mismatch)
    seg_bb = dict(type='ResNet', depth=18, strides=(1, 2, 2, 1), dilations=(1, 1, 1, 2), contract_dilation=False,
                  init_cfg=dict(type='Pretrained', checkpoint='absent.pth'))
    conv.convert_pixpro(raw, str(tmp_path / 'ok.pth'), backbone=seg_bb)
    with pytest.raises(StemMismatchError, match='ResNetV1c'):
        conv.convert_pixpro(raw, str(tmp_path / 'no.pth'), backbone=dict(type='ResNetV1c', depth=18))
    assert not osp.exists(tmp_path / 'no.pth')


def test_resnet50_bottleneck_depth_is_inferred(tmp_path):
    net = torchvision.models.resnet50()
    del net.fc
    raw = str(tmp_path / 'r50.pth')
    _raw_checkpoint(raw, net, arch='resnet50')
    # the projector of a real ResNet-50 checkpoint has 2048 inputs: irrelevant to the backbone
    out = conv.convert_pixpro(raw, str(tmp_path / 'r50_bb.pth'))
    assert conv.infer_resnet(out)['depth'] == 50 and len(out) == len(net.state_dict())


def test_deep_stem_encoder_maps_to_resnet_v1d(tmp_path):
    """PixPro's resnet*_d (deep stem + average-pool downsampling) becomes mmseg's ResNetV1d layout."""
    v1d = MODELS.build(dict(type='ResNetV1d', depth=18))
    # write V1d weights under PixPro's names (the inverse of the converter's stem mapping)
    inverse = {new: old for old, new in conv.DEEP_STEM.items()}
    pixpro_names = {}
    for k, v in v1d.state_dict().items():
        for new, old in inverse.items():
            if k.startswith(new):
                k = old + k[len(new):]
                break
        pixpro_names[k] = v.clone() + (0.5 if v.is_floating_point() else 0)
    assert 'conv1.0.0.weight' in pixpro_names and 'layer2.0.downsample.1.weight' in pixpro_names
    torch.save({'model': {f'module.encoder.{k}': v for k, v in pixpro_names.items()}}, tmp_path / 'd.pth')
    out = conv.convert_pixpro(str(tmp_path / 'd.pth'), str(tmp_path / 'd_bb.pth'))
    meta = torch.load(tmp_path / 'd_bb.pth', weights_only=True)['meta']
    assert meta['backbone_type'] == 'ResNetV1d' and meta['stem'] == 'deep'
    for k, v in v1d.state_dict().items():
        assert torch.equal(out[k], v + (0.5 if v.is_floating_point() else 0)), k


def test_bad_inputs_name_the_file_and_write_nothing(tmp_path):
    out = tmp_path / 'out.pth'
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        conv.convert_pixpro(str(tmp_path / 'missing.pth'), str(out))
    (tmp_path / 'corrupt.pth').write_bytes(b'not a checkpoint at all')
    with pytest.raises(RuntimeError, match='corrupt.pth'):
        conv.convert_pixpro(str(tmp_path / 'corrupt.pth'), str(out))
    torch.save({'state_dict': {'backbone.conv1.weight': torch.zeros(1)}}, tmp_path / 'mmseg.pth')
    with pytest.raises(ValueError, match=r'mmseg\.pth is not a PixPro checkpoint.*extract_backbone'):
        conv.convert_pixpro(str(tmp_path / 'mmseg.pth'), str(out))
    # an arbitrary pickled object is refused unless the user trusts the file
    torch.save({'model': {}, 'opt': nn.Linear(1, 1)}, tmp_path / 'obj.pth')
    with pytest.raises(RuntimeError, match='--trust'):
        conv.convert_pixpro(str(tmp_path / 'obj.pth'), str(out))
    # a truncated network: the stage sizes are no ResNet's
    state = {f'module.encoder.layer{s}.0.conv1.weight': torch.zeros(1) for s in (1, 2, 3, 4)}
    torch.save({'model': state}, tmp_path / 'odd.pth')
    with pytest.raises(ValueError, match=r'\(1, 1, 1, 1\) blocks per stage'):
        conv.convert_pixpro(str(tmp_path / 'odd.pth'), str(out))
    assert not out.exists() and not [f for f in os.listdir(tmp_path) if f.endswith('.tmp')]
