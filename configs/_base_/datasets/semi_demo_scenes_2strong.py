# The semi-supervised demo data (semi_demo_scenes.py) with two strong views of every unlabeled scene (UniMatch):
# branches unsup_student and unsup_student2 share the weak view's geometry and draw their photometric changes
# independently, with UniMatch's strengths (colour jitter 0.5 / 0.5 / 0.5 / 0.25 with p 0.8, grayscale p 0.2, blur
# sigma 0.1-2 with a 3-7 px kernel and p 0.5). The CutMix boxes between unlabeled scenes are drawn by the model, not
# here.
_base_ = ['./semi_demo_scenes.py']
branch_field = ['sup', 'unsup_teacher', 'unsup_student', 'unsup_student2']
unimatch_strong = [
    dict(type='StrongPhotometricAug',
         transforms=[
             dict(type='ColorJitter', brightness=0.5, contrast=0.5, saturation=0.5, hue=0.25, p=0.8),
             dict(type='ToGray', p=0.2),
             dict(type='GaussianBlur', blur_limit=(3, 7), sigma_limit=(0.1, 2.0), p=0.5),
         ]),
    dict(type='PackSegInputs')
]
labeled_pipeline = _base_.labeled_pipeline[:-1] + [dict(_base_.labeled_pipeline[-1], branch_field=branch_field)]
unlabeled_pipeline = _base_.unlabeled_pipeline[:-1] + [
    dict(type='MultiBranch', branch_field=branch_field,
         unsup_teacher=[dict(type='PackSegInputs')],
         unsup_student=unimatch_strong,
         unsup_student2=unimatch_strong),
]
labeled_dataset = dict(pipeline=labeled_pipeline)
unlabeled_dataset = dict(pipeline=unlabeled_pipeline)
