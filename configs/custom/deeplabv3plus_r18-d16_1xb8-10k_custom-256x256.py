# YOUR OWN DATA, supervised baseline: the labeled split only (compare with the CutMix template next to this file).
# Change the three lines below (the same as in cutmix_r18-d16_1xb16-10k_custom-256x256.py), see README "Your own data".
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
model = dict(data_preprocessor=dict(size=crop_size), decode_head=dict(num_classes=len(classes)))
train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(dataset, ann_file=split + '/labeled.txt', pipeline=_base_.train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(dataset, ann_file=split + '/val.txt', pipeline=_base_.test_pipeline))
test_dataloader = val_dataloader
