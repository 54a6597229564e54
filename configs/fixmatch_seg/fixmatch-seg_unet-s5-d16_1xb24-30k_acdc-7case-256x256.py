# FixMatch for segmentation (UniMatch's fixmatch.py form) on ACDC with 7 labeled case(s) (UniMatch / SSL4MIS split),
# on the network, schedule, batches and one-channel strong view of the CutMix ACDC config
# (configs/cutmix/cutmix_unet-s5-d16_1xb24-30k_acdc-7case-256x256.py): small UNet from scratch, SGD lr 0.01,
# 12 labeled + 12 unlabeled 256x256 slices, 30k iterations. No EMA teacher: the model's own weak prediction gives hard
# pseudo-labels; pixels with confidence >= 0.95 train the strong view (colour jitter + blur; CutMix p 0.5 with a box of
# 2-40 % of the slice showing another unlabeled slice); loss = (L_sup + L_strong) / 2 (UniMatch's medical code uses
# a masked Dice loss on the unlabeled term; here a masked cross-entropy). The model is evaluated per volume.
_base_ = ['../cutmix/cutmix_unet-s5-d16_1xb24-30k_acdc-7case-256x256.py']
model = dict(type='FixMatchSegmentor')  # FixMatch's values (UniMatch's fixmatch.py) are the class defaults
custom_hooks = []
val_cfg = dict(type='ValLoop')
