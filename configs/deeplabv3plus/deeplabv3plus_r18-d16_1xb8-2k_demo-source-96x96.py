# The demo's stand-in for ImageNet pretraining: supervised DeepLabV3+ R18 on the *source* scenes (data/demo_source,
# `python tools/misc/make_demo_data.py --source`, made on first use): 1000 fully labeled scenes of the six
# Fashion-MNIST classes that are not demo classes (pullover, dress, coat, sandal, shirt, ankle boot), same scene
# generator. The method starts from ImageNet weights; none can be downloaded here, so the demo recipes start from
# this backbone instead: a generic start that knows related objects but none of the demo's classes.
# Extract its backbone for the demo configs with
#   python tools/model_converters/extract_backbone.py \
#       work_dirs/deeplabv3plus_r18-d16_1xb8-2k_demo-source-96x96/iter_2000.pth \
#       work_dirs/deeplabv3plus_r18-d16_1xb8-2k_demo-source-96x96/backbone.pth --backbone-key model.backbone
# (the recipe configs/pixpro_demo_5pct.py runs this as its first stage and hands the backbone over itself).
_base_ = [
    '../_base_/models/deeplabv3plus_r18-d16_demo.py', '../_base_/datasets/demo_scenes.py',
    '../_base_/default_runtime.py', '../_base_/schedules/demo_1k.py'
]
crop_size = (96, 96)
dataset_type = 'DemoSourceScenesDataset'
data_root = 'data/demo_source'
default_hooks = dict(checkpoint=dict(interval=1000))
model = dict(data_preprocessor=dict(size=crop_size), decode_head=dict(num_classes=7))
param_scheduler = [dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=2000, by_epoch=False)]
train_cfg = dict(max_iters=2000, val_interval=1000)
train_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = val_dataloader
