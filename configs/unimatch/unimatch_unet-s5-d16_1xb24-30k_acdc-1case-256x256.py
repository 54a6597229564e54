# UniMatch (Yang et al., CVPR 2023) on ACDC with 1 labeled case (UniMatch / SSL4MIS split; UniMatch README mean Dice
# 85.4 / 88.9 / 89.9 with 1 / 3 / 7 cases). Small UNet (16-256 channels, one input channel) from scratch, SGD lr 0.01
# (momentum 0.9, weight decay 1e-4, poly 0.9), 12 labeled + 12 unlabeled 256x256 slices, 30k iterations (UniMatch:
# 300 epochs of ~107 iterations). No EMA teacher: the model's own weak prediction gives the pseudo-labels (tau 0.95).
# Per unlabeled slice: two strong views (one-channel colour jitter + blur), each CutMix-ed (p 0.5, box 2-40 %) with
# its own partner, and a feature-perturbation stream (Dropout2d 0.5 on the features the head reads: with mmseg's UNet
# as backbone these are the UNet's outputs, not only its encoder's as in UniMatch's UNet);
# loss = (L_sup + 0.5 L_fp + 0.25 L_s1 + 0.25 L_s2) / 2. UniMatch's medical code uses a masked Dice loss on the
# unlabeled terms; here a masked cross-entropy. The model is evaluated per volume (mean Dice over RV / Myo / LV).
_base_ = [
    '../_base_/models/unet-s5-d16_fcn_1ch.py', '../_base_/datasets/semi_acdc_2strong.py',
    '../_base_/default_runtime.py', '../_base_/schedules/ssl4mis_sgd_poly_30k.py'
]
crop_size = (256, 256)
data_preprocessor = dict(_base_.data_preprocessor, size=crop_size)
segmentor = dict(
    _base_.model,
    data_preprocessor=data_preprocessor,
    decode_head=dict(_base_.model.decode_head, num_classes=4),
)
model = dict(
    _delete_=True,
    type='UniMatchSegmentor',
    segmentor=segmentor,
    data_preprocessor=dict(type='MultiBranchDataPreprocessor', data_preprocessor=data_preprocessor))
split = '{{ fileDirname }}/../../data/splits/acdc/1'
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(_base_.labeled_dataset, ann_file=split + '/labeled.txt'),
        dict(_base_.unlabeled_dataset, ann_file=split + '/unlabeled.txt'),
    ]))
val_dataloader = dict(dataset=dict(ann_file=split + '/val.txt'))
test_dataloader = dict(dataset=dict(ann_file=split + '/test.txt'))
