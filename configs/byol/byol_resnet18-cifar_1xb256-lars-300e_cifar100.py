# BYOL target pretraining on the CIFAR-100 training images (labels unused): the CIFAR-10 config (seed 003's BYOL
# schedule: batch 256, base lr 0.3 auto-scaled, 300 epochs) with CIFAR-100's images and pixel statistics.
_base_ = ['./byol_resnet18-cifar_1xb256-lars-300e_cifar10.py']
model = dict(data_preprocessor=dict(mean=[129.304, 124.07, 112.434], std=[68.17, 65.392, 70.418]))
train_dataloader = dict(dataset=dict(type='SemiCIFAR100', data_root='data/cifar100'))
