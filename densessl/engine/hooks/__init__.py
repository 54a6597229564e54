from .check_invalid_loss_hook import CheckInvalidLossHook
from .momentum_schedule_hook import MomentumScheduleHook

__all__ = ['CheckInvalidLossHook', 'MomentumScheduleHook']
