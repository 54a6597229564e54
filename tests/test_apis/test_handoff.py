"""Backbone hand-off: checkpoint layouts, stem check, key reports, extract_backbone and its CLI."""
import pytest
import torch
import torchvision
from mmengine.registry import DefaultScope

from densessl.apis import (StemMismatchError, backbone_state_dict, detect_format, extract_backbone,
                           load_backbone_weights, load_imagenet_weights)


@pytest.fixture(autouse=True)
def densessl_scope():
    import mmpretrain.models  # noqa: F401
    import mmseg.models  # noqa: F401
    import densessl.models  # noqa: F401
    if DefaultScope.check_instance_created('test_handoff'):
        DefaultScope.get_instance('test_handoff')
    else:
        DefaultScope.get_instance('test_handoff', scope_name='densessl')


def build(cfg):
    from densessl.registry import MODELS
    return MODELS.build(cfg)


R18 = dict(type='ResNet', depth=18, out_indices=(0, 1, 2, 3), norm_cfg=dict(type='BN'))


@pytest.fixture(scope='module')
def torchvision_ckpt(tmp_path_factory):
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp('ckpt') / 'resnet18_tv.pth'
    torch.save(torchvision.models.resnet18().state_dict(), path)
    return path


def test_torchvision_weights_load_into_plain_resnet(torchvision_ckpt):
    backbone = build(R18)
    report = load_imagenet_weights(backbone, str(torchvision_ckpt))
    assert report.format == 'torchvision' and report.missing == [] and report.unexpected == []
    ref = torch.load(torchvision_ckpt)
    assert torch.equal(backbone.layer3[1].conv2.weight, ref['layer3.1.conv2.weight'])
    assert 'missing backbone keys: none' in str(report)


def test_mmpretrain_and_official_pixpro_layouts(tmp_path, torchvision_ckpt):
    tv = torch.load(torchvision_ckpt)
    body = {k: v for k, v in tv.items() if not k.startswith('fc.')}
    mmpre = {'backbone.' + k: v for k, v in body.items()}
    mmpre.update({'head.fc.weight': torch.zeros(10, 512), 'head.fc.bias': torch.zeros(10)})
    torch.save(dict(meta=dict(), state_dict=mmpre), tmp_path / 'mmpretrain.pth')
    pixpro = {'module.encoder.' + k: v for k, v in body.items()}
    pixpro.update({'module.encoder_k.' + k: v + 1 for k, v in body.items() if v.is_floating_point()})
    torch.save(dict(model=pixpro, epoch=400), tmp_path / 'pixpro.pth')
    assert detect_format(mmpre) == 'pretrain' and detect_format(pixpro) == 'pixpro_official'
    for name in ('mmpretrain.pth', 'pixpro.pth'):
        backbone = build(R18)
        report = load_backbone_weights(backbone, str(tmp_path / name))
        assert report.missing == [] and report.unexpected == []
        assert torch.equal(backbone.conv1.weight, tv['conv1.weight'])
    target = backbone_state_dict(pixpro, source='target')
    assert torch.equal(target['conv1.weight'], tv['conv1.weight'] + 1)
    with pytest.raises(ValueError, match='no target network'):
        backbone_state_dict(tv, source='target')


def test_stem_mismatch_is_refused(tmp_path, torchvision_ckpt):
    v1c = build(dict(R18, type='ResNetV1c'))
    with pytest.raises(StemMismatchError, match="plain-stem.*deep-stem.*type='ResNet'"):
        load_imagenet_weights(v1c, str(torchvision_ckpt))
    torch.save(v1c.state_dict(), tmp_path / 'v1c.pth')
    with pytest.raises(StemMismatchError, match="type='ResNetV1c'"):
        load_backbone_weights(build(R18), str(tmp_path / 'v1c.pth'))
    with pytest.raises(StemMismatchError):
        extract_backbone(str(torchvision_ckpt), str(tmp_path / 'out.pth'), backbone=dict(R18, type='ResNetV1c'))
    assert not (tmp_path / 'out.pth').exists()  # nothing written when the check fails


def test_missing_and_wrong_keys_are_reported(tmp_path, torchvision_ckpt):
    tv = torch.load(torchvision_ckpt)
    partial = {k: v for k, v in tv.items() if not k.startswith('layer4.')}
    torch.save(partial, tmp_path / 'partial.pth')
    with pytest.raises(KeyError, match=r'layer4\.0\.conv1\.weight'):
        load_backbone_weights(build(R18), str(tmp_path / 'partial.pth'))
    report = load_backbone_weights(build(R18), str(tmp_path / 'partial.pth'), allow_missing=True)
    assert 'layer4.1.bn2.weight' in report.missing and not any('num_batches_tracked' in k for k in report.missing)
    extra = dict(tv, **{'extra.weight': torch.zeros(1)})
    report = load_backbone_weights(build(R18), extra)
    assert report.unexpected == ['extra.weight']
    with pytest.raises(RuntimeError, match=r'do not fit the backbone[\s\S]*layer1\.0\.conv1\.weight'):
        load_backbone_weights(build(dict(R18, depth=34)), dict(tv, **{'layer1.0.conv1.weight': torch.zeros(1)}))


def test_missing_corrupt_and_unreachable_files(tmp_path):
    backbone = build(R18)
    with pytest.raises(FileNotFoundError, match='nowhere.pth'):
        load_imagenet_weights(backbone, str(tmp_path / 'nowhere.pth'))
    bad = tmp_path / 'corrupt.pth'
    bad.write_bytes(b'not a checkpoint at all')
    with pytest.raises(RuntimeError, match='corrupt.pth'):
        load_imagenet_weights(backbone, str(bad))
    with pytest.raises(RuntimeError, match='127.0.0.1:9/r18.pth'):
        load_imagenet_weights(backbone, 'http://127.0.0.1:9/r18.pth')


def test_extract_backbone_from_a_pretraining_checkpoint(tmp_path, torchvision_ckpt):
    """A PixPro checkpoint's online backbone becomes a file a DeepLabV3+ backbone init_cfg loads."""
    from mmengine.logging import MessageHub
    MessageHub.get_current_instance().update_info('max_iters', 10)
    pixpro = build(dict(type='PixPro', backbone=dict(R18, out_indices=(3, ), init_cfg=dict(
        type='Pretrained', checkpoint=str(torchvision_ckpt))),
                        neck=dict(type='PixProNeck', in_channels=512, hid_channels=32, out_channels=16)))
    pixpro.init_weights()
    with torch.no_grad():
        pixpro.target_net.module[0].conv1.weight.fill_(3.)
    torch.save(dict(meta=dict(iter=10), state_dict=pixpro.state_dict()), tmp_path / 'iter_10.pth')
    written = extract_backbone(str(tmp_path / 'iter_10.pth'), str(tmp_path / 'bb' / 'backbone.pth'))
    saved = torch.load(tmp_path / 'bb' / 'backbone.pth')
    assert saved['meta']['source_layout'] == 'pretrain' and saved['meta']['stem'] == 'plain'
    assert set(saved['state_dict']) == set(written) == set(build(R18).state_dict())
    assert not any(k.startswith(('backbone_pre', 'target_net', 'neck', 'ppm')) for k in written)
    segmentor = build(dict(
        type='EncoderDecoder',
        backbone=dict(R18, strides=(1, 2, 2, 1), dilations=(1, 1, 1, 2), contract_dilation=False,
                      init_cfg=dict(type='Pretrained', checkpoint=str(tmp_path / 'bb' / 'backbone.pth'))),
        decode_head=dict(type='DepthwiseSeparableASPPHead', in_channels=512, in_index=3, channels=16,
                         dilations=(1, 2, 3, 4), c1_in_channels=64, c1_channels=8, num_classes=3,
                         norm_cfg=dict(type='BN'), loss_decode=dict(type='CrossEntropyLoss'))))
    segmentor.init_weights()
    assert torch.equal(segmentor.backbone.conv1.weight, pixpro.backbone.conv1.weight)
    tv = torch.load(torchvision_ckpt)
    assert torch.equal(segmentor.backbone.layer2[0].conv1.weight, tv['layer2.0.conv1.weight'])
    # the target network on request, and a prefix for load_from-style files
    target = extract_backbone(str(tmp_path / 'iter_10.pth'), str(tmp_path / 't.pth'), source='target',
                              add_prefix='backbone.')
    assert torch.all(target['backbone.conv1.weight'] == 3.)


def test_cli(tmp_path, torchvision_ckpt, capsys):
    from tools.model_converters.extract_backbone import main
    cfg = tmp_path / 'cfg.py'
    cfg.write_text(f'model = dict(backbone={R18!r})\n')
    assert main([str(torchvision_ckpt), str(tmp_path / 'out.pth'), '--check-config', str(cfg)]) == 0
    out = torch.load(tmp_path / 'out.pth')
    assert 'fc.weight' not in out['state_dict'] and 'conv1.weight' in out['state_dict']
    cfg.write_text(f"model = dict(backbone={dict(R18, type='ResNetV1c')!r})\n")
    with pytest.raises(StemMismatchError):
        main([str(torchvision_ckpt), str(tmp_path / 'out2.pth'), '--check-config', str(cfg)])
