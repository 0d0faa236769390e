"""Pick device and dtype: bf16 where the hardware does it fast, else fp32."""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def cpu_has_fast_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return any(flag in flags for flag in (" avx512_bf16", " amx_bf16"))


def preferred_device() -> str:
    import torch

    if torch.cuda.is_available():
        return "cuda"
    return "cpu"


def preferred_dtype(device: str | None = None) -> "torch.dtype":  # type: ignore[name-defined]  # noqa: F821, UP037
    import torch

    device = device or preferred_device()
    if device == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.bfloat16 if cpu_has_fast_bf16() else torch.float32


def parse_dtype(name: str | None) -> "torch.dtype | None":  # type: ignore[name-defined]  # noqa: F821, UP037
    """A dtype from its name (bf16, bfloat16, fp16, float16, fp32, float32); None stays None."""
    if name is None:
        return None
    import torch

    from spillover.errors import SpilloverError

    table = {
        "bfloat16": torch.bfloat16,
        "bf16": torch.bfloat16,
        "float16": torch.float16,
        "fp16": torch.float16,
        "float32": torch.float32,
        "fp32": torch.float32,
    }
    if name not in table:
        raise SpilloverError(f"unknown dtype {name!r}", hint=f"use one of {', '.join(table)}")
    return table[name]
