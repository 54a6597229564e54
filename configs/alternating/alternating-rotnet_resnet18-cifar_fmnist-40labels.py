# Recipe: Rebuffi et al.'s full pipeline on Fashion-MNIST with 40 labels: RotNet self-supervised pretraining on all
# training images, then the alternating optimisation starting from the RotNet backbone (the "pretext weights" that
# every phase-2 round resets to). `python tools/train.py <this file>` runs both in work_dir/{pretext,alternating}.
stages = [
    dict(name='pretext', config='../rotnet/rotnet_resnet18-cifar_1xb128-sgd-cos-50k_fmnist.py'),
    dict(
        name='alternating',
        config='./alternating_resnet18-cifar_1xb64-mu7-sgd-cosrestart-58k_fmnist-40labels.py',
        init_backbone_from='pretext',
        backbone_key='model.classifier.backbone'),
]
evaluate = True
