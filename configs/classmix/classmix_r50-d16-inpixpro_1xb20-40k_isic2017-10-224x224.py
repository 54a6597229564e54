# Table II "IN PixPro -> ClassMix": ClassMix mean teacher (Olsson et al., WACV 2021) on
# ISIC 2017, 10 labeled of 2000 training images;
# network, start (PixPro's ImageNet release), data, schedule, frozen/trained BN and EMA exactly as the CutMix config
# of this setting, i.e. French et al.'s recipe (the seed paper compares the two learners under one setup).
# ClassMix: the mask of each pair is the pixels of the source image whose teacher argmax is in a random half of its
# classes; the mixed image is trained with cross-entropy on the mixed argmax pseudo-labels, every pixel weighted by
# the share of pixels whose teacher confidence is >= 0.968.
_base_ = ['../cutmix/cutmix_r50-d16-inpixpro_1xb20-40k_isic2017-10-224x224.py']
model = dict(
    type='ClassMixSegmentor',
    semi_train_cfg=dict(
        _delete_=True,
        sup_weight=1.0,
        unsup_weight=1.0,
        pseudo_label=dict(type='PseudoLabeler', mode='hard'),
        confidence=dict(type='ConfidenceMask', threshold=0.968, mode='proportion'),
        unsup_loss=dict(type='ConsistencyLoss', loss_type='ce'),
        mix=dict(type='ClassMixMask'),
        unsup_bn_stats='update'),  # as the CutMix config (French et al.)
)
