"""This machine's ceilings, measured in the benchmark's own process: bf16 (or another dtype's) matmul FLOP/s and
memory copy bandwidth, on the CPU or on a CUDA GPU (timed with CUDA events there)."""

from __future__ import annotations

import time
from typing import Any


def _timed(device: str, fn: Any, reps: int) -> float:
    """Seconds per call of `fn()` after 3 warm-ups: the mean over `reps` calls on a GPU (CUDA
    events around the whole run), the fastest of `reps` calls on a CPU (a shared host only ever
    slows a call down, so the fastest is the ceiling; the conservative choice for MFU)."""
    import torch

    for _ in range(3):
        fn()
    if device.startswith("cuda"):
        torch.cuda.synchronize()
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(reps):
            fn()
        end.record()
        torch.cuda.synchronize()
        return float(start.elapsed_time(end)) / 1000 / reps
    best = float("inf")
    for _ in range(reps):
        began = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - began)
    return best


def matmul_flops(
    device: str = "cpu", size: int | None = None, reps: int | None = None, dtype: Any = None
) -> float:
    """Square matmul FLOP/s in `dtype` (default bf16): 8192 on a GPU, 1024 on a CPU unless `size`
    says."""
    import torch

    gpu = device.startswith("cuda")
    n = size or (8192 if gpu else 1024)
    reps = reps or (10 if gpu else 50)
    dtype = dtype or torch.bfloat16
    a = torch.randn(n, n, dtype=dtype, device=device)
    b = torch.randn(n, n, dtype=dtype, device=device)
    return 2 * n**3 / _timed(device, lambda: a @ b, reps)


def copy_bandwidth(device: str = "cpu", mib: int = 1024, reps: int = 10) -> float:
    """Bytes/s of a large copy, counting bytes read plus bytes written."""
    import torch

    src = torch.empty(mib * 2**20, dtype=torch.uint8, device=device).fill_(1)
    dst = torch.empty_like(src)
    return 2 * src.numel() / _timed(device, lambda: dst.copy_(src), reps)


def sync(device: str) -> None:
    """Wait for the device's queued work (a no-op on the CPU)."""
    import torch

    if device.startswith("cuda"):
        torch.cuda.synchronize()
