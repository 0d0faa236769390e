"""Which way round a CPU multiplies a decode step's few rows by each weight matrix.

`torch.nn.Linear` computes x @ W.T. In a decode step x has one row per answer (a few dozen) and
W thousands, and some CPU BLAS builds compute that product faster the other way round, as
(W @ x.T).T ("weight-major"). On this project's AMD EPYC (torch 2.13 for CPU, fp32) that saves
13-34% of the time of Qwen2.5-Coder-0.5B's projections at 17-64 rows, once the rows are padded
with zeros to a multiple of 8 (unpadded, some row counts such as 23, 31 and 63 ran 15-26%
slower than `nn.Linear`), while SmolLM2-135M's narrower projections ran 0-20% slower
weight-major; both models' output heads gained at most row counts. Other CPUs, BLAS builds and dtypes may differ either way.

So `choose_decode_layout` times each distinct weight shape of the model both ways, with the
model's own weights, at a spread of row counts up to the engine's batch (odd ones included:
a batch shrinks and refills), and computes weight-major only the shapes where that saves at
least 5%. CUDA keeps `nn.Linear`. Inputs of more rows than the batch (prefill, training) always
take `nn.Linear`'s own path. Both orders compute the same dot products; float32 results may
differ in the last bits, as any change of BLAS kernel may.

The layout belongs to the model, not to an engine: `decode_layout` chooses it the first time a
model decodes, at that engine's batch size, and every later engine on the model keeps it. It is
set on each `nn.Linear` instance (`forward`), not by changing its class, so code that checks
for a plain `nn.Linear` (merging, mixing adapters) sees one, and forward hooks still run.
"""

from __future__ import annotations

import functools
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

LINEAR = "x @ W.T"
WEIGHT_MAJOR = "(W @ x.T).T"
MIN_SAVING = 0.05  # weight-major must save at least this share of a shape's time to be kept
PAD_ROWS = 8  # weight-major pads the rows to a multiple of this


@dataclass(frozen=True)
class DecodeLayout:
    """The layout of each weight shape ("in->out"), for inputs of at most `rows` rows."""

    rows: int
    by_shape: tuple[tuple[str, str], ...] = ()
    seconds: float = 0.0  # spent timing

    @property
    def weight_major(self) -> frozenset[str]:
        return frozenset(shape for shape, layout in self.by_shape if layout == WEIGHT_MAJOR)

    def apply(self, model: nn.Module) -> None:
        """Set this layout on `model`'s plain linears (the others back to `nn.Linear`)."""
        clear_weight_major(model)
        chosen = self.weight_major
        for layer in _linears(model):
            if shape_of(layer) in chosen:
                _set(layer, self.rows)

    def __str__(self) -> str:
        if not self.weight_major:
            return LINEAR
        return ", ".join(f"{shape} {layout}" for shape, layout in self.by_shape)


_CHOSEN: weakref.WeakKeyDictionary[nn.Module, DecodeLayout] = weakref.WeakKeyDictionary()
_CHOOSING = threading.Lock()  # two engines on one model must not time it at once


def shape_of(layer: nn.Linear) -> str:
    return f"{layer.in_features}->{layer.out_features}"


def _weight_major_forward(self: nn.Linear, most_rows: int, x: torch.Tensor) -> torch.Tensor:
    rows = x.numel() // x.shape[-1] if x.dim() >= 2 else 0
    if rows == 0 or rows > most_rows:
        return nn.Linear.forward(self, x)
    flat = x.reshape(rows, x.shape[-1])
    padded = -(-rows // PAD_ROWS) * PAD_ROWS
    if padded != rows:
        flat = nn.functional.pad(flat, (0, 0, 0, padded - rows))
    if self.bias is None:
        out = torch.mm(self.weight, flat.t())
    else:
        out = torch.addmm(self.bias.unsqueeze(1), self.weight, flat.t())
    return out[:, :rows].t().contiguous().view(*x.shape[:-1], self.out_features)


def _linears(model: nn.Module) -> list[nn.Linear]:
    return [m for m in model.modules() if type(m) is nn.Linear]


def _set(layer: nn.Linear, rows: int) -> None:
    layer.forward = functools.partial(_weight_major_forward, layer, rows)  # type: ignore[method-assign]


def set_weight_major(model: nn.Module, rows: int) -> None:
    """Compute inputs of at most `rows` rows weight-major in every plain linear of `model`."""
    for layer in _linears(model):
        _set(layer, rows)


def clear_weight_major(model: nn.Module) -> None:
    """Back to `nn.Linear.forward` everywhere in `model`."""
    for layer in _linears(model):
        layer.__dict__.pop("forward", None)


def probe_rows(rows: int) -> list[int]:
    """The row counts a shape is timed at: the full batch and three fewer, odd ones included."""
    return sorted(
        {min(max(r, 1), rows) for r in (rows, rows * 3 // 4 + 3, rows // 2 + 1, rows // 4 + 5)}
    )


def time_layouts(layer: nn.Linear, row_counts: list[int], reps: int = 2) -> tuple[float, float]:
    """Seconds `layer` takes over `row_counts` (best of `reps` each, after a warm-up), as
    `nn.Linear` and weight-major."""
    most = max(row_counts)
    weight = layer.weight
    inputs = [
        torch.randn(r, layer.in_features, dtype=weight.dtype, device=weight.device)
        for r in row_counts
    ]

    def best(forward: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> float:
        forward(x)
        times = []
        for _ in range(reps):
            start = time.perf_counter()
            forward(x)
            times.append(time.perf_counter() - start)
        return min(times)

    plain = functools.partial(nn.Linear.forward, layer)
    swapped = functools.partial(_weight_major_forward, layer, most)
    return (
        sum(best(plain, x) for x in inputs),
        sum(best(swapped, x) for x in inputs),
    )


def choose_decode_layout(model: Any, rows: int, device: str) -> DecodeLayout:
    """Time every distinct weight shape of `model` both ways (`time_layouts`) and set
    weight-major on the shapes where it saves at least `MIN_SAVING`."""
    layers = _linears(model)
    if not str(device).startswith("cpu") or not layers:
        return DecodeLayout(rows)
    started = time.perf_counter()
    clear_weight_major(model)
    first: dict[str, nn.Linear] = {}
    for layer in layers:
        first.setdefault(shape_of(layer), layer)
    row_counts = probe_rows(rows)
    by_shape: list[tuple[str, str]] = []
    with torch.inference_mode():
        for shape, layer in first.items():
            plain, swapped = time_layouts(layer, row_counts)
            faster = swapped < (1 - MIN_SAVING) * plain
            by_shape.append((shape, WEIGHT_MAJOR if faster else LINEAR))
    layout = DecodeLayout(rows, tuple(by_shape), time.perf_counter() - started)
    layout.apply(model)
    return layout


def decode_layout(model: Any, rows: int, device: str) -> DecodeLayout:
    """The layout `model` decodes with, chosen (at `rows` rows) the first time it is asked."""
    with _CHOOSING:
        chosen = _CHOSEN.get(model)
        if chosen is None:
            chosen = _CHOSEN[model] = choose_decode_layout(model, rows, device)
        return chosen


def pin_decode_layout(model: Any, layout: DecodeLayout) -> None:
    """Decode `model` with `layout` from now on, untimed (`DecodeLayout(rows)`: `nn.Linear`
    everywhere, e.g. to compare the layouts or to multiply as a plain loop does)."""
    with _CHOOSING:
        layout.apply(model)
        _CHOSEN[model] = layout
