# Table I "BYOL -> FixMatch" on cifar100-2500labels:
# BYOL target pretraining on every cifar100 training image (seed 003's BYOL schedule), then FixMatch from the BYOL
# backbone, then evaluation of the EMA model:
#   python tools/train.py configs/table1/byol-fixmatch_cifar100-2500labels.py [--resume]
# The plain "FixMatch" row is the stage-2 config alone:
#   configs/fixmatch/fixmatch_resnet18-cifar_1xb64-mu7-sgd-cos-1m_cifar100-2500labels.py
stages = [
    dict(name='byol', config='../byol/byol_resnet18-cifar_1xb256-lars-300e_cifar100.py'),
    dict(
        name='fixmatch',
        config='../fixmatch/fixmatch_resnet18-cifar_1xb64-mu7-sgd-cos-1m_cifar100-2500labels.py',
        init_backbone_from='byol',
        backbone_key='model.classifier.backbone'),
]
evaluate = True
