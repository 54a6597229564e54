from .check_invalid_loss_hook import CheckInvalidLossHook
from .momentum_schedule_hook import MomentumScheduleHook
from .pseudo_label_refresh_hook import PseudoLabelRefreshHook, predict_probs

__all__ = ['CheckInvalidLossHook', 'MomentumScheduleHook', 'PseudoLabelRefreshHook', 'predict_probs']
