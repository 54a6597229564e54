# Supervised baseline: DeepLabV3+ R50-V1c OS16 trained on the labeled split only (isic2017, 10 labeled images).
# The reference every semi-supervised method on this split must beat. Batch 8, Adam 1e-5, 40k iterations.
_base_ = [
    '../_base_/models/deeplabv3plus_r50v1c-d16.py', '../_base_/datasets/isic2017.py', '../_base_/default_runtime.py',
    '../_base_/schedules/adam_40k.py'
]
crop_size = (256, 256)
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(num_classes=2),
)
train_dataloader = dict(
    dataset=dict(ann_file='{{ fileDirname }}/../../data/splits/isic2017/10/labeled.txt'))
