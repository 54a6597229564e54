# Supervised baseline: DeepLabV3+ R50-V1c OS16 trained on the labeled split only (isic2017, 50 labeled images);
# everything else as deeplabv3plus_r50v1c-d16_1xb8-40k_isic2017-10-256x256.py.
_base_ = ['./deeplabv3plus_r50v1c-d16_1xb8-40k_isic2017-10-256x256.py']
train_dataloader = dict(dataset=dict(ann_file='{{ fileDirname }}/../../data/splits/isic2017/50/labeled.txt'))
