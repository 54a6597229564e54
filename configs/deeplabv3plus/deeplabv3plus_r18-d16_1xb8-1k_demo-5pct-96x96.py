# Supervised baseline on the embedded demo data: small DeepLabV3+ R18 on the 50 labeled images of the 5 % split.
# CPU-sized; reports mIoU and mDice on the 200 validation scenes (results: configs/deeplabv3plus/README.md).
_base_ = [
    '../_base_/models/deeplabv3plus_r18-d16_demo.py', '../_base_/datasets/demo_scenes.py',
    '../_base_/default_runtime.py', '../_base_/schedules/demo_1k.py'
]
crop_size = (96, 96)
model = dict(data_preprocessor=dict(size=crop_size))
train_dataloader = dict(
    dataset=dict(ann_file='{{ fileDirname }}/../../data/splits/demo/5pct/labeled.txt'))
