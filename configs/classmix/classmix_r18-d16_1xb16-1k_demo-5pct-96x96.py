# ClassMix mean teacher (Olsson et al., WACV 2021) on the demo scenes, 5 % labels (~50 of 1000 training images);
# network, data, schedule and EMA as the CutMix config
# of this setting (the seed paper compares the two learners under one setup).
# ClassMix: the mask of each pair is the pixels of the source image whose teacher argmax is in a random half of its
# classes;
# the mixed strong image is trained with cross-entropy on the mixed argmax pseudo-labels, every pixel
# weighted by the share of pixels whose teacher confidence is >= 0.968.
_base_ = ['../cutmix/cutmix_r18-d16_1xb16-1k_demo-5pct-96x96.py']
model = dict(type='ClassMixSegmentor')  # Olsson et al.'s values are the class defaults
