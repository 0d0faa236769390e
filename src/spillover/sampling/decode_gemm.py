"""Which way round a CPU multiplies a decode step's few rows by each weight matrix.

`torch.nn.Linear` computes x @ W.T. In a decode step x has one row per answer (a few dozen) and
W thousands, and some CPU BLAS builds compute that product faster the other way round, as
(W @ x.T).T. On this project's AMD EPYC (torch 2.13 for CPU, fp32) a 64-row step of
Qwen2.5-Coder-0.5B took 12-26% less time so; other CPUs, BLAS builds and dtypes may differ
either way. So `choose_decode_layout` times one decode-sized forward of the model itself each
way and keeps the faster one ("weight-major" only when it saves at least 5%); CUDA keeps
`nn.Linear`. Inputs of more rows than the engine's batch (prefill, training) always take
`nn.Linear`'s own path. Both orders compute the same dot products; float32 results may differ
in the last bits, as any change of BLAS kernel may.

The layout belongs to the model, not to an engine: `decode_layout` chooses it the first time a
model decodes, at that engine's batch size, and every later engine on the model keeps it. It is
set on each `nn.Linear` instance (`forward`), not by changing its class, so code that checks
for a plain `nn.Linear` (merging, mixing adapters) sees one.
"""

from __future__ import annotations

import functools
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch import nn

LINEAR = "x @ W.T"
WEIGHT_MAJOR = "weight-major (W @ x.T).T"
MIN_SAVING = 0.05  # weight-major must save at least this share of a step to be kept

_CHOSEN: weakref.WeakKeyDictionary[nn.Module, str] = weakref.WeakKeyDictionary()
_CHOOSING = threading.Lock()  # two engines on one model must not time it at once


def _weight_major_forward(self: nn.Linear, most_rows: int, x: torch.Tensor) -> torch.Tensor:
    rows = x.numel() // x.shape[-1] if x.dim() >= 2 else 0
    if rows == 0 or rows > most_rows:
        return nn.Linear.forward(self, x)
    flat = x.reshape(rows, x.shape[-1]).t()
    if self.bias is None:
        out = torch.mm(self.weight, flat)
    else:
        out = torch.addmm(self.bias.unsqueeze(1), self.weight, flat)
    return out.t().contiguous().view(*x.shape[:-1], self.out_features)


def _linears(model: nn.Module) -> list[nn.Linear]:
    return [m for m in model.modules() if type(m) is nn.Linear]


def set_weight_major(model: nn.Module, rows: int) -> None:
    """Compute inputs of at most `rows` rows weight-major in every plain linear of `model`."""
    for layer in _linears(model):
        layer.forward = functools.partial(_weight_major_forward, layer, rows)  # type: ignore[method-assign]


def clear_weight_major(model: nn.Module) -> None:
    """Back to `nn.Linear.forward` everywhere in `model`."""
    for layer in _linears(model):
        layer.__dict__.pop("forward", None)


@contextmanager
def weight_major(model: nn.Module, rows: int) -> Iterator[None]:
    set_weight_major(model, rows)
    try:
        yield
    finally:
        clear_weight_major(model)


def choose_decode_layout(model: Any, rows: int, device: str, reps: int = 2) -> str:
    """Time a `rows`-row, one-token forward of `model` both ways (after a warm-up, the best
    of `reps` each, interleaved) and leave the faster layout set; returns its name."""
    if not str(device).startswith("cpu") or not _linears(model):
        return LINEAR
    ids = torch.zeros((rows, 1), dtype=torch.long, device=device)

    def seconds() -> float:
        start = time.perf_counter()
        model(input_ids=ids, use_cache=False)
        return time.perf_counter() - start

    seconds()  # the first forward pays for lazy set-up
    plain: list[float] = []
    swapped: list[float] = []
    for _ in range(reps):
        plain.append(seconds())
        with weight_major(model, rows):
            swapped.append(seconds())
    if min(swapped) < (1 - MIN_SAVING) * min(plain):
        set_weight_major(model, rows)
        return WEIGHT_MAJOR
    return LINEAR


def decode_layout(model: Any, rows: int, device: str) -> str:
    """The layout `model` decodes with, chosen (at `rows` rows) the first time it is asked."""
    with _CHOOSING:
        chosen = _CHOSEN.get(model)
        if chosen is None:
            chosen = _CHOSEN[model] = choose_decode_layout(model, rows, device)
        return chosen
