# Semi-supervised ACDC (semi_acdc.py) with two strong views of every unlabeled slice (UniMatch): a second strong
# branch, unsup_student2, the same one-channel strong view as unsup_student (UniMatch's medical strong view: colour
# jitter 0.5 / 0.5 / 0.5 / 0.25 with p 0.8, blur sigma 0.1-2 with p 0.5) drawn independently; both share the weak
# view's geometry. The CutMix boxes between unlabeled slices are drawn by the model.
_base_ = ['./semi_acdc.py']
branch_field = ['sup', 'unsup_teacher', 'unsup_student', 'unsup_student2']
strong = [dict(type='GrayPhotometricAug'), dict(type='PackSegInputs')]
labeled_pipeline = _base_.labeled_pipeline[:-1] + [dict(_base_.labeled_pipeline[-1], branch_field=branch_field)]
unlabeled_pipeline = _base_.unlabeled_pipeline[:-1] + [
    dict(type='MultiBranch', branch_field=branch_field,
         unsup_teacher=[dict(type='PackSegInputs')], unsup_student=strong, unsup_student2=strong),
]
labeled_dataset = dict(pipeline=labeled_pipeline)
unlabeled_dataset = dict(pipeline=unlabeled_pipeline)
