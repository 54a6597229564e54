# UniMatch (Yang et al., CVPR 2023) on the demo scenes, 5 % labels (~50 of 1000 training images): the CPU-sized demo
# of the paper's setup, on the same network, schedule and batches as the CutMix demo
# (configs/cutmix/cutmix_r18-d16_1xb16-1k_demo-5pct-96x96.py) so that the two compare at one budget.
# DeepLabV3+ with a plain-stem ResNet-18 (OS16); Adam lr 1e-3, poly decay, 1000 iterations, batches of 8 labeled +
# 8 unlabeled 96x96 crops. No EMA teacher: the model's own weak prediction gives the pseudo-labels (tau 0.95) and
# the model is evaluated.
# Per unlabeled scene: two strong views, each CutMix-ed (p 0.5, box 2-40 % of the image) with its own partner, and a
# feature-perturbation stream (Dropout2d 0.5 on the encoder features of the weak view);
# loss = (L_sup + 0.5 L_fp + 0.25 L_s1 + 0.25 L_s2) / 2.
_base_ = [
    '../_base_/models/deeplabv3plus_r18-d16_demo.py', '../_base_/datasets/semi_demo_scenes_2strong.py',
    '../_base_/default_runtime.py', '../_base_/schedules/demo_1k.py'
]
crop_size = (96, 96)
data_preprocessor = dict(_base_.data_preprocessor, size=crop_size)
segmentor = dict(
    _base_.model,
    data_preprocessor=data_preprocessor,
    decode_head=dict(_base_.model.decode_head, num_classes=5),
)
model = dict(
    _delete_=True,
    type='UniMatchSegmentor',
    segmentor=segmentor,
    data_preprocessor=dict(type='MultiBranchDataPreprocessor', data_preprocessor=data_preprocessor))
split = '{{ fileDirname }}/../../data/splits/demo/5pct'
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(_base_.labeled_dataset, ann_file=split + '/labeled.txt'),
        dict(_base_.unlabeled_dataset, ann_file=split + '/unlabeled.txt'),
    ]))
