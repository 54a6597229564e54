from .check_invalid_loss_hook import CheckInvalidLossHook
from .mean_teacher_hook import MeanTeacherHook, ema_update
from .momentum_schedule_hook import MomentumScheduleHook
from .pseudo_label_refresh_hook import PseudoLabelRefreshHook, predict_probs

__all__ = [
    'CheckInvalidLossHook', 'MeanTeacherHook', 'ema_update', 'MomentumScheduleHook', 'PseudoLabelRefreshHook',
    'predict_probs'
]
