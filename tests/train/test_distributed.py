from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import pytest

from spillover.errors import InputError
from spillover.train.args import checkpointing_off, sft_kwargs
from spillover.train.config import build_config
from spillover.train.distributed import launch_info, read_accelerate_config

ACCELERATE_YAML = """\
compute_environment: LOCAL_MACHINE
distributed_type: MULTI_GPU
mixed_precision: bf16
machine_rank: 0
num_machines: 1
num_processes: 4
gpu_ids: all
use_cpu: false
"""


def test_accelerate_config_sets_ddp_arguments(tmp_path: Path) -> None:
    path = tmp_path / "accel.yaml"
    path.write_text(ACCELERATE_YAML)
    launch = read_accelerate_config(path)
    assert (launch.world_size, launch.distributed_type, launch.mixed_precision) == (
        4,
        "MULTI_GPU",
        "bf16",
    )
    cfg = build_config("paper")
    kwargs = sft_kwargs(cfg, tmp_path / "run", launch, bf16=True, cuda=True)
    # 16 rows per step = 2 per device x 4 devices x 2 accumulation steps.
    assert (
        kwargs["per_device_train_batch_size"]
        * launch.world_size
        * kwargs["gradient_accumulation_steps"]
        == 16
    )
    assert kwargs["ddp_find_unused_parameters"] is False
    assert kwargs["use_cpu"] is False and kwargs["bf16"] is True
    single = sft_kwargs(cfg, tmp_path / "run", launch_info({}), bf16=True, cuda=False)
    assert single["gradient_accumulation_steps"] == 8
    assert single["ddp_find_unused_parameters"] is None


def test_launch_env_from_accelerate() -> None:
    info = launch_info({"WORLD_SIZE": "2", "RANK": "1", "LOCAL_RANK": "1"})
    assert info.world_size == 2 and not info.is_main
    assert launch_info({}).is_main


def test_bad_accelerate_config(tmp_path: Path) -> None:
    path = tmp_path / "accel.yaml"
    path.write_text("num_processes: zero\n")
    with pytest.raises(InputError) as info:
        read_accelerate_config(path)
    assert info.value.field == "num_processes"


def test_kwargs_are_accepted_by_sftconfig(tmp_path: Path) -> None:
    pytest.importorskip("trl")
    from trl import SFTConfig

    cfg = build_config("cpu-small", {"report_to": []})
    args = SFTConfig(**sft_kwargs(cfg, tmp_path / "run", launch_info({}), bf16=False, cuda=False))
    assert args.gradient_accumulation_steps == 2
    assert args.save_steps == 10 and args.learning_rate == 2e-4


def test_sftconfig_has_checkpointing_off_without_deprecation_warnings(tmp_path: Path) -> None:
    pytest.importorskip("trl")
    from trl import SFTConfig

    cfg = build_config("cpu-small", {"report_to": []})
    kwargs = sft_kwargs(cfg, tmp_path / "run", launch_info({}), bf16=False, cuda=False)
    names = {f.name for f in dataclasses.fields(SFTConfig)}
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*deprecated", category=FutureWarning)
        args = SFTConfig(**kwargs, **checkpointing_off(names))
    assert args.gradient_checkpointing is False
