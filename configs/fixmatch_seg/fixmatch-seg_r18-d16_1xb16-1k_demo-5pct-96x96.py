# FixMatch for segmentation (Sohn et al. 2020, in the form of UniMatch's fixmatch.py) on the demo scenes, 5 % labels
# (~50 of 1000 training images), on the CutMix demo's network, schedule, batches and strong view
# (configs/cutmix/cutmix_r18-d16_1xb16-1k_demo-5pct-96x96.py).
# No EMA teacher: the model's own weak prediction gives hard pseudo-labels; pixels with confidence >= 0.95 train the
# strong view (colour jitter, grayscale, blur; CutMix p 0.5 with a box of 2-40 % showing another unlabeled scene)
# with a cross-entropy averaged over all valid pixels; loss = (L_sup + L_strong) / 2. The model is evaluated.
_base_ = ['../cutmix/cutmix_r18-d16_1xb16-1k_demo-5pct-96x96.py']
model = dict(type='FixMatchSegmentor')  # FixMatch's values (UniMatch's fixmatch.py) are the class defaults
custom_hooks = []
val_cfg = dict(type='ValLoop')
