# Supervised baseline: DeepLabV3+ R50-V1c OS16 trained on the labeled split only (cityscapes, 372 labeled images).
# The reference every semi-supervised method on this split must beat. Batch 8, Adam 1e-5, 40k iterations.
_base_ = [
    '../_base_/models/deeplabv3plus_r50v1c-d16.py', '../_base_/datasets/cityscapes.py', '../_base_/default_runtime.py',
    '../_base_/schedules/adam_40k.py'
]
crop_size = (256, 512)
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(num_classes=19),
    # sliding window on the downsampled 512x1024 image, as the paper's Cityscapes protocol
    test_cfg=dict(mode='slide', crop_size=(256, 512), stride=(171, 341)),
)
train_dataloader = dict(
    dataset=dict(ann_file='{{ fileDirname }}/../../data/splits/cityscapes/372/labeled.txt'))
