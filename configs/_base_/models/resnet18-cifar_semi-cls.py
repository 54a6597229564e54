# Semi-supervised classifier: mmpretrain's ResNet-18 for 32x32 inputs (ResNet_CIFAR: 3x3 stem, no max-pool),
# global average pooling, linear head; student and EMA teacher in SemiBaseClassifier (the base class trains the
# supervised baseline; algorithm configs change `type`, and `semi_train_cfg` only where they depart from the
# algorithm class's defaults). mmpretrain types carry the `mmpretrain.` prefix: under the densessl scope a bare
# `ResNet` / `CrossEntropyLoss` would be mmseg's.
num_classes = 10
data_preprocessor = dict(
    type='mmpretrain.ClsDataPreprocessor',
    mean=[125.307, 122.961, 113.8575],  # CIFAR-10 RGB statistics (the datasets give RGB arrays)
    std=[51.5865, 50.847, 51.255],
    to_rgb=False)
classifier = dict(
    type='mmpretrain.ImageClassifier',
    backbone=dict(type='mmpretrain.ResNet_CIFAR', depth=18, num_stages=4, out_indices=(3, ), style='pytorch'),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(
        type='mmpretrain.LinearClsHead',
        num_classes=num_classes,
        in_channels=512,
        loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0)),
    data_preprocessor=data_preprocessor)
model = dict(
    type='SemiBaseClassifier',
    classifier=classifier,
    data_preprocessor=dict(type='MultiBranchDataPreprocessor', data_preprocessor=data_preprocessor))
