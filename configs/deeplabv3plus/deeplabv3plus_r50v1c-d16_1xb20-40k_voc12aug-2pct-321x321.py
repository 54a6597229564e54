# Supervised baseline: DeepLabV3+ R50-V1c OS16 trained on the labeled split only (voc12aug, 2 % of the labels);
# everything else as deeplabv3plus_r50v1c-d16_1xb20-40k_voc12aug-1pct-321x321.py.
_base_ = ['./deeplabv3plus_r50v1c-d16_1xb20-40k_voc12aug-1pct-321x321.py']
train_dataloader = dict(dataset=dict(ann_file='{{ fileDirname }}/../../data/splits/voc/2pct/labeled.txt'))
