# Semi-supervised ISIC 2017 (semi_isic2017.py: its geometry and evaluation) with UniMatch's unlabeled views: a second
# strong branch (unsup_student2), both strong views UniMatch's (unimatch_strong_view.py), and batches of 8 labeled +
# 8 unlabeled images (UniMatch's natural-image batch). UniMatch has no ISIC protocol; the CutMix boxes between
# unlabeled images are drawn by the model. FixMatch-seg uses unsup_student only.
# A leaf config sets the split files of both datasets (see semi_voc12aug_2strong.py).
_base_ = ['./semi_isic2017.py', './unimatch_strong_view.py']
branch_field = ['sup', 'unsup_teacher', 'unsup_student', 'unsup_student2']
labeled_pipeline = _base_.labeled_pipeline[:-1] + [dict(_base_.labeled_pipeline[-1], branch_field=branch_field)]
unlabeled_pipeline = _base_.unlabeled_pipeline[:-1] + [
    dict(type='MultiBranch', branch_field=branch_field,
         unsup_teacher=[dict(type='PackSegInputs')],
         unsup_student=_base_.unimatch_strong,
         unsup_student2=_base_.unimatch_strong),
]
labeled_dataset = dict(pipeline=labeled_pipeline)
unlabeled_dataset = dict(pipeline=unlabeled_pipeline)
train_dataloader = dict(
    batch_size=16,
    sampler=dict(type='MultiSourceSampler', batch_size=16, source_ratio=[1, 1]),
    dataset=dict(datasets=[labeled_dataset, unlabeled_dataset]))
