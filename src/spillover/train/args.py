"""Turn a TrainConfig into TRL's SFTConfig (TrainingArguments) for one process layout."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from spillover.train.config import TrainConfig
from spillover.train.distributed import LaunchInfo

TRAINER_DIR = ".trainer"


def sft_kwargs(
    config: TrainConfig, run_dir: Path, launch: LaunchInfo, bf16: bool, cuda: bool
) -> dict[str, Any]:
    """Keyword arguments for `trl.SFTConfig`; a plain dict so it can be checked without torch."""
    return {
        "output_dir": str(run_dir / TRAINER_DIR),
        "per_device_train_batch_size": config.micro_batch_size,
        "gradient_accumulation_steps": config.accumulation_steps(launch.world_size),
        "learning_rate": config.learning_rate,
        "lr_scheduler_type": config.lr_scheduler,
        "warmup_steps": config.warmup_steps,
        "weight_decay": config.weight_decay,
        "num_train_epochs": config.epochs,
        "max_steps": config.max_steps if config.max_steps is not None else -1,
        "logging_steps": config.logging_steps,
        "logging_first_step": True,
        "save_strategy": "steps",
        "save_steps": config.checkpoint_every,
        "save_total_limit": None,
        "seed": config.seed,
        "data_seed": config.seed,
        "bf16": bf16,
        "use_cpu": not cuda,
        "report_to": list(config.report_to) or "none",
        "max_length": config.max_length,
        "train_sampling_strategy": config.train_sampling,
        "dataloader_num_workers": config.dataloader_workers,
        "ddp_find_unused_parameters": False if launch.world_size > 1 else None,
        "disable_tqdm": not launch.is_main,
        "remove_unused_columns": False,
        "dataset_num_proc": None,
    }


def checkpointing_off(fields: Collection[str]) -> dict[str, bool]:
    """Activation checkpointing off (TRL's SFTConfig turns it on by default), under the name the
    installed transformers reads: `activation_checkpointing` where `fields` (the config's field
    names) has it, `gradient_checkpointing` before the rename. Passing the old name to a release
    that renamed it warns that it is deprecated."""
    name = (
        "activation_checkpointing"
        if "activation_checkpointing" in fields
        else "gradient_checkpointing"
    )
    return {name: False}
