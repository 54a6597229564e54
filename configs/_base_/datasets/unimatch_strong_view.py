# UniMatch's strong view of an unlabeled image (LiheYoung/UniMatch dataset/transform.py), each strong branch drawing
# its own: colour jitter 0.5 / 0.5 / 0.5 / 0.25 with p 0.8, grayscale p 0.2, Gaussian blur sigma ~ U(0.1, 2.0) with
# p 0.5 and PIL's kernel size (blur_limit=0). A second base of the two-strong-view datasets (semi_*_2strong.py).
unimatch_strong = [
    dict(type='StrongPhotometricAug',
         transforms=[
             dict(type='ColorJitter', brightness=0.5, contrast=0.5, saturation=0.5, hue=0.25, p=0.8),
             dict(type='ToGray', p=0.2),
             dict(type='GaussianBlur', blur_limit=0, sigma_limit=(0.1, 2.0), p=0.5),
         ]),
    dict(type='PackSegInputs')
]
