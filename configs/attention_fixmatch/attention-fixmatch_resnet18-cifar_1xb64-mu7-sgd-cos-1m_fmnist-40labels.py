# FixMatch with attention consistency (seed 004) on Fashion-MNIST with 40 labels: the classifier pools the last
# backbone map with a learned attention map (AttentionBiPooling: two 1x1 convolutions with BN and ReLU, their maps
# summed; features pooled with the map), FixMatch's loss (tau 0.95, lambda_u 1) on its logits, plus
# KL(a(weak) || a(strong)) between the softmax-normalised attention maps of the two views, counted only for the
# samples whose pseudo-label passes tau, weight 1, weak maps detached.
_base_ = ['../fixmatch/fixmatch_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py']
model = dict(
    type='AttentionFixMatch',
    # attention weight 1 and temperature 1 are the class defaults
    classifier=dict(neck=dict(_delete_=True, type='AttentionBiPooling', in_channels=512, num_branches=2)))
