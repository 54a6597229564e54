# Mean Teacher (Tarvainen & Valpola 2017) on Fashion-MNIST with 40 labels: the EMA teacher (decay 0.999, the
# paper's warm-up min(1 - 1/(t+1), 0.999)) predicts on one weak view, the student on another, squared error
# between the softmaxes (summed over classes: weight 5 = TorchSSL's 50 averaged over 10 classes), sigmoid ramp-up
# over the first 40 % of the 2^20 iterations. Same data, batch and schedule as FixMatch.
_base_ = [
    '../_base_/models/resnet18-cifar_semi-cls.py', '../_base_/datasets/fmnist_semi.py',
    '../_base_/schedules/fixmatch_sgd_cos_1m.py', '../_base_/default_cls_runtime.py'
]
data_preprocessor = dict(type='mmpretrain.ClsDataPreprocessor', mean=[72.94] * 3, std=[90.02] * 3, to_rgb=False)
model = dict(
    type='MeanTeacher',
    classifier=dict(data_preprocessor=data_preprocessor),
    data_preprocessor=dict(data_preprocessor=data_preprocessor),
    # MeanTeacher's defaults hold the weight 5, the sigmoid ramp, soft targets and the squared error; the ramp's
    # length depends on the schedule: the first 40 % of its 2^20 iterations
    semi_train_cfg=dict(rampup_iters=int(0.4 * 2**20)))
custom_hooks = [dict(type='MeanTeacherHook', teacher_momentum=0.999, warmup=True)]
unlabeled_pipeline = [
    dict(type='GrayToRGB'),
    dict(type='MultiBranch', branch_field=_base_.branch_field,
         unsup_teacher=_base_.weak_pipeline + [_base_.pack],
         unsup_student=_base_.weak_pipeline + [_base_.pack]),
]
train_dataloader = dict(
    dataset=dict(datasets=[_base_.labeled_dataset, dict(_base_.unlabeled_dataset, pipeline=unlabeled_pipeline)]))
