# UniMatch (Yang et al., CVPR 2023) on Pascal VOC 2012 aug, 92 labeled images (UniMatch's "1/16" of the 1464 finely
# annotated VOC train images), the other 10490 train_aug images unlabeled: the Pascal recipe of the official code
# (LiheYoung/UniMatch configs/pascal.yaml, unimatch.py, training-logs/.../ResNet-50/92.log), the base of every VOC
# UniMatch / FixMatch-seg config.
# - data (configs/_base_/datasets/semi_voc12aug_2strong.py): 321x321 crops, batch 8 labeled + 8 unlabeled (UniMatch:
#   2 + 2 per GPU x 4 GPUs; on N GPUs set train_dataloader.batch_size and its sampler's to 16 / N), two strong views
#   per unlabeled image, evaluation on the 1449 val images whole at their own size;
# - optimiser (configs/_base_/schedules/sgd_poly_unimatch.py): SGD lr 0.001, momentum 0.9, weight decay 1e-4,
#   decode head at 10x (lr_multi 10), poly decay (power 0.9) per iteration;
# - 80 epochs, UniMatch's epoch being one pass over the unlabeled images at 4 GPUs x 2: ceil(10490 / 4) // 2 = 1311
#   iterations (its log's iteration count); evaluated after every epoch, the best checkpoint kept by mIoU;
# - UniMatch: no EMA teacher, the model's own prediction on the weak view (no gradient) gives hard pseudo-labels,
#   confident at >= 0.95; two strong views, each CutMix-ed (p 0.5, box 2-40 % of the crop, aspect 0.3-3.3) with its
#   own partner, the box taking the partner's pseudo-labels; a feature-perturbation stream (Dropout2d 0.5 on the
#   encoder features of the weak view); every unsupervised loss sums the confident pixels' cross-entropy and divides
#   by all valid pixels; loss = (L_sup + 0.5 L_fp + 0.25 L_s1 + 0.25 L_s2) / 2. The model predicts at test time.
# Network: DeepLabV3+ ResNet-50 OS16 (ASPP rates 6/12/18) from torchvision's supervised ImageNet weights
# (configs/_base_/models/deeplabv3plus_r50-d16.py, the network of the CutMix rows and of the PixPro stage's hand-off).
# UniMatch's own network differs: ResNet-101 (its README's VOC table) or -50 with a deep 3-conv stem (64-64-128) and
# its own ImageNet weights, and a plain-conv ASPP head of 256 channels without dropout. The ResNet-50 runs of its
# logs (71.9 mIoU best epoch at 92 labels) are the closest published reference; the plain stem is kept so that
# every row (ImageNet, PixPro, CutMix) shares one network and the PixPro backbone hands over without missing keys.
_base_ = [
    '../_base_/models/deeplabv3plus_r50-d16.py', '../_base_/datasets/semi_voc12aug_2strong.py',
    '../_base_/default_runtime.py', '../_base_/schedules/sgd_poly_unimatch.py'
]
crop_size = (321, 321)
data_preprocessor = dict(_base_.data_preprocessor, size=crop_size)
segmentor = dict(
    _base_.model,
    data_preprocessor=data_preprocessor,
    decode_head=dict(_base_.model.decode_head, num_classes=21),
)
model = dict(
    _delete_=True,
    type='UniMatchSegmentor',
    segmentor=segmentor,
    data_preprocessor=dict(type='MultiBranchDataPreprocessor', data_preprocessor=data_preprocessor))
split = '{{ fileDirname }}/../../data/splits/voc/92'
epoch_iters = 1311
train_cfg = dict(type='IterBasedTrainLoop', max_iters=80 * epoch_iters, val_interval=epoch_iters)
param_scheduler = [dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=80 * epoch_iters, by_epoch=False)]
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(_base_.labeled_dataset, ann_file=split + '/labeled.txt'),
        dict(_base_.unlabeled_dataset, ann_file=split + '/unlabeled.txt'),
    ]))
