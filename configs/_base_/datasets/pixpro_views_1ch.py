# Two asymmetric views per one-channel slice (MRI / CT, float in [0, 1]) for PixPro target pretraining: PixPro's
# BYOL-style views (pixpro_views.py) where the colour steps become one-channel ones (GrayPhotometricAug): random
# resized crop (box recorded for PixPro's positive rule), horizontal flip, brightness / contrast jitter 0.4 (p 0.8),
# Gaussian blur (p 1.0 / 0.1). No grayscale (already gray) and no solarisation (defined for uint8 photos).
# The dataset (all target slices, no labels) is set by each config.
crop_size = 256


view_pipeline1 = [
    dict(type='RandomResizedCropWithBox', scale=crop_size, crop_ratio_range=(0.2, 1.), backend='cv2'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='GrayPhotometricAug', transforms=[
        dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0., hue=0., p=0.8),
        dict(type='GaussianBlur', blur_limit=(3, 7), sigma_limit=(0.1, 2.0), p=1.0),
    ]),
]
view_pipeline2 = [
    dict(type='RandomResizedCropWithBox', scale=crop_size, crop_ratio_range=(0.2, 1.), backend='cv2'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='GrayPhotometricAug', transforms=[
        dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0., hue=0., p=0.8),
        dict(type='GaussianBlur', blur_limit=(3, 7), sigma_limit=(0.1, 2.0), p=0.1),
    ]),
]
train_pipeline = [
    dict(type='LoadH5ImageFromFile'),
    dict(type='SelfSupViews', num_views=[1, 1], transforms=[view_pipeline1, view_pipeline2]),
    dict(type='PackViewInputs'),
]
