# Supervised baseline: DeepLabV3+ R50-V1c OS16 trained on the labeled split only (cityscapes, 372 labeled images);
# everything else as deeplabv3plus_r50v1c-d16_1xb8-40k_cityscapes-100-256x512.py.
_base_ = ['./deeplabv3plus_r50v1c-d16_1xb8-40k_cityscapes-100-256x512.py']
train_dataloader = dict(dataset=dict(ann_file='{{ fileDirname }}/../../data/splits/cityscapes/372/labeled.txt'))
