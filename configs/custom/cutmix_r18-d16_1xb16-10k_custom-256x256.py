# YOUR OWN DATA, semi-supervised: CutMix mean teacher on any folder of images + masks (FolderSegDataset).
# Change the three lines below, then (README "Your own data"):
#   python tools/make_splits.py --folder data/my_lesions/images --ann-dir data/my_lesions/masks --num 20 \
#       --name my_lesions                      # -> data/splits/my_lesions/{labeled,unlabeled,val}.txt
#   python tools/train.py configs/custom/cutmix_r18-d16_1xb16-10k_custom-256x256.py
#   python tools/test.py configs/custom/cutmix_r18-d16_1xb16-10k_custom-256x256.py \
#       work_dirs/cutmix_r18-d16_1xb16-10k_custom-256x256/best_mIoU_*.pth --out results/metrics.json --show-dir vis
# Masks: 0/255 binary masks with binary_masks=True (two classes); index masks (0..N-1, 255 = ignore) with
# binary_masks=False. Images of any suffix (found in the folder). Model: small DeepLabV3+ (ResNet-18, OS16) from
# scratch (set model.segmentor.backbone.init_cfg to a local torchvision resnet18 file to start from ImageNet);
# Adam 1e-3, 10k iterations, batches of 8 labeled + 8 unlabeled 256x256 crops; EMA teacher 0.99.
data_root = 'data/my_lesions'          # 1. your folder, holding images/ and masks/ (rename them below if needed)
classes = ('background', 'lesion')     # 2. your classes, background first
split = 'data/splits/my_lesions'       # 3. split folder of tools/make_splits.py --folder (--num = labeled count)
binary_masks = True

_base_ = [
    '../_base_/models/deeplabv3plus_r18-d16_demo.py', '../_base_/datasets/folder.py', '../_base_/default_runtime.py',
    '../_base_/schedules/custom_adam_10k.py'
]
crop_size = (256, 256)
dataset = dict(type='FolderSegDataset', data_root=data_root, classes=classes, binary_masks=binary_masks,
               data_prefix=dict(img_path='images', seg_map_path='masks'))
data_preprocessor = dict(_base_.data_preprocessor, size=crop_size)
segmentor = dict(_base_.model, data_preprocessor=data_preprocessor,
                 decode_head=dict(_base_.model.decode_head, num_classes=len(classes)))
model = dict(
    _delete_=True,
    type='CutMixSegmentor',
    segmentor=segmentor,
    data_preprocessor=dict(type='MultiBranchDataPreprocessor', data_preprocessor=data_preprocessor))
custom_hooks = [dict(type='MeanTeacherHook', teacher_momentum=0.99)]  # = momentum=0.01 (student share)
val_cfg = dict(type='TeacherStudentValLoop')  # teacher/* and student/* metrics; plain names = teacher
train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='MultiSourceSampler', batch_size=16, source_ratio=[1, 1]),
    dataset=dict(type='ConcatDataset', datasets=[
        dict(dataset, ann_file=split + '/labeled.txt', pipeline=_base_.labeled_pipeline),
        dict(dataset, ann_file=split + '/unlabeled.txt', with_label=False, pipeline=_base_.unlabeled_pipeline),
    ]))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(dataset, ann_file=split + '/val.txt', pipeline=_base_.test_pipeline))
test_dataloader = val_dataloader
