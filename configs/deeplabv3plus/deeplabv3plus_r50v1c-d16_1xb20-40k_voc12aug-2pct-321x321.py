# Supervised baseline: DeepLabV3+ R50-V1c OS16 trained on the labeled split only (voc12aug, 2 % of the labels).
# The reference every semi-supervised method on this split must beat. Batch 20, Adam 1e-5, 40k iterations.
_base_ = [
    '../_base_/models/deeplabv3plus_r50v1c-d16.py', '../_base_/datasets/voc12aug.py', '../_base_/default_runtime.py',
    '../_base_/schedules/adam_40k.py'
]
crop_size = (321, 321)
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(num_classes=21),
)
train_dataloader = dict(
    dataset=dict(ann_file='{{ fileDirname }}/../../data/splits/voc/2pct/labeled.txt'))
