# Table II "IN PixPro -> Sup" on Pascal VOC 2012 aug, 2 % labels (~212 of 10582 images);
# everything else as the 1pct config.
_base_ = ['./deeplabv3plus_r50-d16-inpixpro_1xb10-40k_voc12aug-1pct-321x321.py']
train_dataloader = dict(
    dataset=dict(ann_file='{{ fileDirname }}/../../data/splits/voc/2pct/labeled.txt'))
