# Table II "IN PixPro -> Sup" on ISIC 2017, 50 labeled of 2000 images;
# everything else as the 10 config.
_base_ = ['./deeplabv3plus_r50-d16-inpixpro_1xb10-40k_isic2017-10-224x224.py']
train_dataloader = dict(
    dataset=dict(ann_file='{{ fileDirname }}/../../data/splits/isic2017/50/labeled.txt'))
