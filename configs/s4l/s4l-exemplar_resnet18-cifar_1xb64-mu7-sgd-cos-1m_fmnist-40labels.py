# S4L-Exemplar (Zhai et al. 2019) on Fashion-MNIST with 40 labels: 8 augmented copies (random resized crop, flip,
# noise) of every unlabeled image, batch-hard triplet loss with soft margin on their L2-normalised features, plus
# the supervised loss. Same data, batch (weak views) and schedule as FixMatch.
_base_ = ['./s4l-rotation_resnet18-cifar_1xb64-mu7-sgd-cos-1m_fmnist-40labels.py']
model = dict(type='S4LExemplar')  # S4L's values (8 copies, soft margin, weight 1): class defaults
