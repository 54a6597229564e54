# Mean Teacher (Tarvainen & Valpola 2017) on Fashion-MNIST with 40 labels: the EMA teacher (decay 0.999, the
# paper's warm-up min(1 - 1/(t+1), 0.999)) predicts on one weak view, the student on another, squared error
# between the softmaxes (summed over classes: weight 5 = TorchSSL's 50 averaged over 10 classes), sigmoid ramp-up
# over the first 40 % of the 2^20 iterations. Same data, batch and schedule as FixMatch.
_base_ = ['../fixmatch/fixmatch_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py']  # data, network, schedule
model = dict(
    type='MeanTeacher',
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
