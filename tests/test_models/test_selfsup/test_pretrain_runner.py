"""A tiny PixPro target-pretraining run with MMEngine's Runner on CPU, then the hand-off to a segmenter."""
import os.path as osp

import pytest
import torch
from mmengine.runner import Runner

from densessl.apis import extract_backbone, load_backbone_weights
from densessl.engine.hooks.momentum_schedule_hook import cosine_teacher_weight
from densessl.utils import register_all_modules
from tests.helpers.tiny_seg import write_tiny_seg_data

MAX_ITERS = 40
BACKBONE = dict(type='ResNet', depth=18, stem_channels=8, base_channels=8, num_stages=4, out_indices=(3, ),
                strides=(1, 2, 1, 1), dilations=(1, 1, 2, 4), norm_cfg=dict(type='BN'), contract_dilation=False)


def pretrain_cfg(data_root, work_dir):
    view = [
        dict(type='RandomResizedCropWithBox', scale=32, crop_ratio_range=(0.3, 1.)),
        dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    ]
    return dict(
        default_scope='densessl',
        work_dir=work_dir,
        model=dict(
            type='PixPro',
            data_preprocessor=dict(type='mmpretrain.SelfSupDataPreprocessor', mean=[0., 0., 0.],
                                   std=[255., 255., 255.], to_rgb=True),
            backbone=BACKBONE,
            neck=dict(type='PixProNeck', in_channels=64, hid_channels=64, out_channels=32),
            ppm=dict(channels=32),
            affine=dict(type='DifferentiableAffine', p=0.5),
            weight_reg=1e-2),
        train_dataloader=dict(
            batch_size=4,
            num_workers=0,
            sampler=dict(type='InfiniteSampler', shuffle=True),
            collate_fn=dict(type='default_collate'),
            dataset=dict(
                type='SplitSegDataset',  # the unlabeled images: no mask folder needed
                data_root=data_root,
                data_prefix=dict(img_path='img'),
                img_suffix='.png',
                ann_file='train.txt',
                with_label=False,
                metainfo=dict(classes=('background', 'square', 'disc')),
                pipeline=[
                    dict(type='LoadImageFromFile'),
                    dict(type='SelfSupViews', num_views=[1, 1], transforms=[view, view]),
                    dict(type='PackViewInputs'),
                ])),
        optim_wrapper=dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.05, momentum=0.9)),
        train_cfg=dict(type='IterBasedTrainLoop', max_iters=MAX_ITERS),
        custom_hooks=[dict(type='MomentumScheduleHook', start=0.99, end=1.0)],
        default_hooks=dict(
            timer=dict(type='IterTimerHook'),
            logger=dict(type='LoggerHook', interval=10, log_metric_by_epoch=False),
            param_scheduler=dict(type='ParamSchedulerHook'),
            checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=MAX_ITERS)),
        env_cfg=dict(cudnn_benchmark=False, dist_cfg=dict(backend='gloo')),
        log_processor=dict(by_epoch=False),
        randomness=dict(seed=0),
    )


def test_pretraining_run_then_segmenter_loads_the_backbone(tmp_path):
    register_all_modules()
    data_root = write_tiny_seg_data(str(tmp_path / 'data'), n_train=16, n_val=1, size=48)
    runner = Runner.from_cfg(pretrain_cfg(data_root, str(tmp_path / 'work')))
    runner.train()

    # the self-supervised loss decreased; the regulariser started at 0 and grew
    pixel = runner.message_hub.get_scalar('train/loss_pixel').data[0]
    wreg = runner.message_hub.get_scalar('train/loss_wreg').data[0]
    assert len(pixel) == MAX_ITERS
    assert pixel[-10:].mean() < pixel[:10].mean() - 0.1, pixel
    assert wreg[0] == 0 and wreg[-1] > 0
    # the momentum hook drove the target nets: the last iteration used τ(K-1) of the cosine schedule
    model = runner.model
    assert model.target_net.momentum == pytest.approx(1 - cosine_teacher_weight(MAX_ITERS - 1, MAX_ITERS))
    assert not torch.equal(model.target_net.module[0].conv1.weight, model.backbone.conv1.weight)

    ckpt = osp.join(str(tmp_path / 'work'), f'iter_{MAX_ITERS}.pth')
    assert osp.isfile(ckpt)
    out = str(tmp_path / 'backbone.pth')
    extract_backbone(ckpt, out)

    # a DeepLabV3+ with the same backbone loads it through its init_cfg, with no missing backbone key
    from densessl.registry import MODELS
    seg_backbone = dict(BACKBONE, out_indices=(0, 1, 2, 3))
    segmentor = MODELS.build(dict(
        type='EncoderDecoder',
        data_preprocessor=dict(type='SegDataPreProcessor', size=(32, 32)),
        backbone=dict(seg_backbone, init_cfg=dict(type='Pretrained', checkpoint=out)),
        decode_head=dict(type='DepthwiseSeparableASPPHead', in_channels=64, in_index=3, channels=16,
                         dilations=(1, 2, 3, 4), c1_in_channels=8, c1_channels=8, num_classes=3,
                         norm_cfg=dict(type='BN'), loss_decode=dict(type='CrossEntropyLoss'))))
    segmentor.init_weights()
    for name, param in model.backbone.state_dict().items():
        assert torch.equal(segmentor.backbone.state_dict()[name], param), name
    report = load_backbone_weights(MODELS.build(seg_backbone), out)
    assert report.missing == [] and report.unexpected == []
    segmentor.eval()
    seg_out = segmentor(torch.rand(1, 3, 32, 32), mode='tensor')
    assert seg_out.shape == (1, 3, 8, 8)  # the head's output at stride 4
