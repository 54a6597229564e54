# ClassMix on the demo scenes, 5 % labels, with FlexMatch's class-wise thresholds (Zhang et al. 2021) instead of
# ClassMix's single threshold 0.968 weighted by the confident-pixel share. Not in the ClassMix paper: a variant
# made from the shared SSL parts (densessl.models.ssl.FlexMatchMask, memory='count' for dense outputs).
# Why: a single threshold can give the student background-only targets when the teacher is confident on background
# alone (measured on the demo scenes: configs/classmix/README.md). Class-wise thresholds scale tau=0.968 by each
# class's learning effect (a running share of confidently predicted pixels per class), so rarely confident classes
# get lower thresholds. With FlexMatch's threshold warm-up every threshold starts at 0, so every pixel of an
# untrained teacher passes: start it from trained weights (load_from / a PixPro or supervised backbone) or set
# warmup=False.
_base_ = ['./classmix_r18-d16_1xb16-1k_demo-5pct-96x96.py']
model = dict(
    semi_train_cfg=dict(
        # another type than the class default (ConfidenceMask): replaces it as a whole
        confidence=dict(type='FlexMatchMask', num_classes=5, threshold=0.968, memory='count', momentum=0.01)))
