# Semi-supervised ACDC (semi_acdc.py) with two strong views of every unlabeled slice (UniMatch): branches
# unsup_student and unsup_student2 share the weak view's geometry and draw their one-channel photometric changes
# independently (UniMatch's medical strong view: colour jitter 0.5 / 0.5 / 0.5 / 0.25 with p 0.8, blur sigma 0.1-2
# with p 0.5). The CutMix boxes between unlabeled slices are drawn by the model.
_base_ = ['./semi_acdc.py']
crop_size = (256, 256)
branch_field = ['sup', 'unsup_teacher', 'unsup_student', 'unsup_student2']
strong = [dict(type='GrayPhotometricAug'), dict(type='PackSegInputs')]
labeled_pipeline = [
    dict(type='LoadH5ImageFromFile'),
    dict(type='LoadH5Annotations'),
    dict(type='RandomRotFlip', rotate_prob=0.25, flip_prob=2 / 3, degree=20),
    dict(type='Resize', scale=crop_size, keep_ratio=False),
    dict(type='MultiBranch', branch_field=branch_field, sup=[dict(type='PackSegInputs')]),
]
unlabeled_pipeline = [
    dict(type='LoadH5ImageFromFile'),
    dict(type='RandomRotFlip', rotate_prob=0.25, flip_prob=2 / 3, degree=20),
    dict(type='Resize', scale=crop_size, keep_ratio=False),
    dict(type='MultiBranch', branch_field=branch_field,
         unsup_teacher=[dict(type='PackSegInputs')], unsup_student=strong, unsup_student2=strong),
]
labeled_dataset = dict(pipeline=labeled_pipeline)
unlabeled_dataset = dict(pipeline=unlabeled_pipeline)
