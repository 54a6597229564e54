# Table II "IN PixPro -> Sup" on Cityscapes, 372 labeled of 2975 images;
# everything else as the 100 config.
_base_ = ['./deeplabv3plus_r50-d16-inpixpro_1xb4-40k_cityscapes-100-256x512.py']
train_dataloader = dict(
    dataset=dict(ann_file='{{ fileDirname }}/../../data/splits/cityscapes/372/labeled.txt'))
