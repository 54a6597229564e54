# FixMatch for segmentation (Sohn et al. 2020, in the form of UniMatch's fixmatch.py) on Pascal VOC 2012 aug, 5 %
# labels (529 of the 10582 train_aug images): the UniMatch config of the same setting
# (unimatch_r50-d16_1xb16-80e_voc12aug-5pct-321x321.py: data, network, optimiser, schedule, split, confidence
# threshold) with one strong view (unsup_student; the pipeline's second one is not used, as in fixmatch.py) and no
# feature perturbation. The model's own weak prediction gives hard pseudo-labels; the confident pixels train the
# CutMix-ed strong view; loss = (L_sup + L_strong) / 2.
_base_ = ['../unimatch/unimatch_r50-d16_1xb16-80e_voc12aug-5pct-321x321.py']
model = dict(type='FixMatchSegmentor')  # FixMatch's values (UniMatch's fixmatch.py) are the class defaults
