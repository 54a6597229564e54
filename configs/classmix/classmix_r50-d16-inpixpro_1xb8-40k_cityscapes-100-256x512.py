# Table II "IN PixPro -> ClassMix": ClassMix mean teacher (Olsson et al., WACV 2021) on
# Cityscapes, 100 labeled of 2975 training images;
# network, start (PixPro's ImageNet release), data, schedule, frozen/trained BN and EMA exactly as the CutMix config
# of this setting, i.e. French et al.'s recipe (the seed paper compares the two learners under one setup).
# ClassMix: the mask of each pair is the pixels of the source image whose teacher argmax is in a random half of its
# classes; the mixed image is trained with cross-entropy on the mixed argmax pseudo-labels, every pixel weighted by
# the share of pixels whose teacher confidence is >= 0.968.
_base_ = ['../cutmix/cutmix_r50-d16-inpixpro_1xb8-40k_cityscapes-100-256x512.py']
# ClassMixSegmentor's defaults are Olsson et al.'s; unsup_bn_stats='update' comes with the CutMix config (French et al.)
model = dict(type='ClassMixSegmentor')
