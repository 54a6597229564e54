# Named variant (the repository's earlier default, kept for comparison; not French et al.'s recipe): backbone BN
# trained (the student's unlabeled pass leaves the running statistics alone: unsup_bn_stats='frozen'),
# StrongPhotometricAug colour/grey/blur on the student's unlabeled view, one poly-decayed rate for all layers,
# mmseg's scale augmentation. The paper's recipe is the same name without '-trainbn-strongaug-poly' and with
# '-inpixpro' / '-insup' for the start. See configs/README.md.
# ClassMix mean teacher (Olsson et al., WACV 2021) on Pascal VOC 2012 aug, 1 % labels (~106 of 10582 training
# images); network, data, schedule and EMA as the CutMix variant
# of this setting (the seed paper compares the two learners under one setup).
# ClassMix: the mask of each pair is the pixels of the source image whose teacher argmax is in a random half of its
# classes;
# the mixed strong image is trained with cross-entropy on the mixed argmax pseudo-labels, every pixel
# weighted by the share of pixels whose teacher confidence is >= 0.968.
_base_ = ['../cutmix/cutmix-trainbn-strongaug-poly_r50-d16-insup_1xb20-40k_voc12aug-1pct-321x321.py']
model = dict(type='ClassMixSegmentor')  # Olsson et al.'s values are the class defaults
