# FixMatch with attention consistency on Fashion-MNIST with 40 labels: FixMatch's loss (tau 0.95, lambda_u 1) plus
# KL(a(weak) || a(strong)) between the softmax-normalised spatial attention maps (channel mean of the squared
# last-stage features, softmax over the 4x4 positions) of the two views, weight 1, weak maps detached.
_base_ = ['../fixmatch/fixmatch_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py']
model = dict(
    type='AttentionFixMatch',
    semi_train_cfg=dict(attention_weight=1.0, attention_temperature=1.0, attention_stage=-1))
