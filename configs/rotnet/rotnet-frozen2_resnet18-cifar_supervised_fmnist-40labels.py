# Recipe: RotNet pretraining on all Fashion-MNIST training images, then the supervised 40-label classifier on top
# of the RotNet backbone with its stem and first two stages frozen (mmpretrain frozen_stages=2), as RotNet
# evaluates its features. `python tools/train.py <this file>` runs both stages in work_dir/{pretrain,finetune}.
stages = [
    dict(name='pretrain', config='./rotnet_resnet18-cifar_1xb128-sgd-cos-50k_fmnist.py'),
    dict(
        name='finetune',
        config='../supervised_cls/supervised_resnet18-cifar_1xb64-sgd-cos-1m_fmnist-40labels.py',
        init_backbone_from='pretrain',
        backbone_key='model.classifier.backbone',
        cfg_options={'model.classifier.backbone.frozen_stages': 2}),
]
evaluate = True
