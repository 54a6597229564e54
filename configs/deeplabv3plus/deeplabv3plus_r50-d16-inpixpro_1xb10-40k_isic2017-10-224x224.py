# Table II "IN PixPro -> Sup" (supervised baseline from PixPro's ImageNet release, no target pretraining; with it:
# the -pixpro config): DeepLabV3+ ResNet-50 (plain stem, the network of every CutMix/ClassMix row) OS16 trained on
# the labeled split only, ISIC 2017 10 labeled of 2000 images.
# French et al.'s ISIC supervised baseline (Britefury/cutmix-semisup-seg, run_isic2017_experiments.sh,
# REG_SUPERVISED="--cons_weight=0.0"): batch 10, rotation/scale/flips and 224x224 crops of 248x248 images, BN
# trained, SGD 0.1 (momentum 0.9, wd 5e-4) with the backbone at 0.1x, poly decay, 40k iterations.
_base_ = [
    '../_base_/models/deeplabv3plus_r50-d16.py', '../_base_/datasets/semi_isic2017_french.py',
    '../_base_/default_runtime.py', '../_base_/schedules/french_sgd_poly_40k.py'
]
in_pixpro = 'checkpoints/pixpro_base_r50_400ep_backbone.pth'
crop_size = (224, 224)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(norm_eval=False, init_cfg=dict(type='Pretrained', checkpoint=in_pixpro)),
    decode_head=dict(num_classes=2),
)
split = '{{ fileDirname }}/../../data/splits/isic2017/10'
train_dataloader = dict(
    _delete_=True,
    batch_size=10,  # --batch_size=10
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=_base_.dataset_type,
        data_root=_base_.data_root,
        data_prefix=dict(img_path='ISIC-2017_Training_Data', seg_map_path='ISIC-2017_Training_Part1_GroundTruth_01'),
        ann_file=split + '/labeled.txt',
        pipeline=_base_.sup_pipeline))
