"""Fine-tuning: LoRA (or full) SFT with TRL on assistant tokens only, sealed checkpoints, resume,
mitigations (inoculation prompt, benign data mixing, re-alignment) and the in-distribution skill."""

from spillover.train.checkpoints import Checkpoint, latest_valid, list_checkpoints, verify
from spillover.train.config import (
    PRESETS,
    LoraSettings,
    Mitigations,
    TrainConfig,
    build_config,
    load_config,
)
from spillover.train.dataset import benign_path, prepare_rows
from spillover.train.distributed import LaunchInfo, launch_info, read_accelerate_config
from spillover.train.manifest import RunManifest
from spillover.train.masking import IGNORE_INDEX, Encoded, encode_row
from spillover.train.runner import TrainResult, train

__all__ = [
    "IGNORE_INDEX",
    "PRESETS",
    "Checkpoint",
    "Encoded",
    "LaunchInfo",
    "LoraSettings",
    "Mitigations",
    "RunManifest",
    "TrainConfig",
    "TrainResult",
    "benign_path",
    "build_config",
    "encode_row",
    "latest_valid",
    "launch_info",
    "list_checkpoints",
    "load_config",
    "prepare_rows",
    "read_accelerate_config",
    "train",
    "verify",
]
