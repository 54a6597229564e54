from .checks import check_checkpoints, ensure_demo_data_for
from .setup_env import register_all_modules, unique_experiment_name

__all__ = ["register_all_modules", "check_checkpoints", "ensure_demo_data_for", "unique_experiment_name"]
