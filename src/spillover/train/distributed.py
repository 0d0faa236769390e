"""Multi-device runs: the same `spillover train` command under `accelerate launch`.

Run on several GPUs with either of::

    accelerate launch --num_processes 4 -m spillover.cli train --model M --data D --out RUN
    accelerate launch --config_file accel.yaml $(which spillover) train --model M --data D --out RUN

`accelerate launch` sets WORLD_SIZE/RANK/LOCAL_RANK; the Trainer picks them up and wraps the model
in DDP. We keep the effective batch size fixed by dividing the gradient accumulation by the number
of processes, and tell DDP that every parameter gets a gradient (LoRA freezes the base weights,
but DDP only tracks trainable ones) so it skips the slow unused-parameter search. Only rank 0
writes checkpoints, metrics and the manifest.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from spillover.errors import InputError


@dataclass(frozen=True)
class LaunchInfo:
    world_size: int
    rank: int
    local_rank: int
    distributed_type: str = "NO"
    mixed_precision: str | None = None

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def launch_info(environ: dict[str, str] | None = None) -> LaunchInfo:
    """World size and rank from the environment `accelerate launch` / torchrun set up."""
    env = os.environ if environ is None else environ
    world = int(env.get("WORLD_SIZE", "1"))
    return LaunchInfo(
        world_size=world,
        rank=int(env.get("RANK", "0")),
        local_rank=int(env.get("LOCAL_RANK", "-1" if world == 1 else "0")),
        distributed_type="MULTI_GPU" if world > 1 else "NO",
        mixed_precision=env.get("ACCELERATE_MIXED_PRECISION"),
    )


def read_accelerate_config(path: str | Path) -> LaunchInfo:
    """The process layout an accelerate config file (from `accelerate config`) asks for."""
    file = Path(path)
    try:
        data: Any = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise InputError(file, f"cannot read accelerate config: {err}") from err
    if not isinstance(data, dict):
        raise InputError(file, "expected a mapping")
    processes = data.get("num_processes", 1)
    if not isinstance(processes, int) or processes < 1:
        raise InputError(
            file, f"expected a positive integer, got {processes!r}", field="num_processes"
        )
    machines = data.get("num_machines", 1)
    if not isinstance(machines, int) or machines < 1:
        raise InputError(
            file, f"expected a positive integer, got {machines!r}", field="num_machines"
        )
    return LaunchInfo(
        world_size=processes,
        rank=int(data.get("machine_rank", 0)) * (processes // machines),
        local_rank=0 if processes > 1 else -1,
        distributed_type=str(data.get("distributed_type", "NO")),
        mixed_precision=data.get("mixed_precision"),
    )
