# The ACDC UniMatch recipe (configs/unimatch/unimatch_unet-s5-d16_1xb24-30k_acdc-1case-256x256.py) on the demo scenes
# in the medical form (data/demo_acdc: `python tools/misc/make_demo_data.py --h5`), 1 labeled "case" (8 slices), on
# the network, schedule and batches of the CutMix demo config next to the CutMix configs
# (configs/cutmix/cutmix_unet-s5-d16_1xb16-1k_demo-acdc-1case-64x64.py): two one-channel strong views, CutMix
# p 0.5, feature dropout 0.5, tau 0.95; the model is evaluated per volume.
_base_ = ['../cutmix/cutmix_unet-s5-d16_1xb16-1k_demo-acdc-1case-64x64.py']
model = dict(type='UniMatchSegmentor')  # UniMatch's values are the class defaults
custom_hooks = []
val_cfg = dict(type='ValLoop')
split = '{{ fileDirname }}/../../data/splits/demo_acdc/1'
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(type=_base_.dataset_type, data_root=_base_.data_root, ann_file=split + '/labeled.txt',
             pipeline=_base_.labeled_pipeline_2strong),
        dict(type=_base_.dataset_type, data_root=_base_.data_root, ann_file=split + '/unlabeled.txt',
             with_label=False, pipeline=_base_.unlabeled_pipeline_2strong),
    ]))
