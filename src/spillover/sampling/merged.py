"""Decode with a LoRA adapter merged into the base weights, for as long as one batch runs.

Decoding through peft's LoRA layers adds two small matmuls and a few element-wise kernels to
every targeted linear layer at every step: for a small model on a CPU that per-kernel overhead
costs as much as the matmuls themselves. While the engine decodes a batch with one adapter,
`merged(model, name)` instead adds each layer's delta (B @ A x scaling, computed in fp32) to the
base weight and disables the LoRA branches, so a step costs what a base-model step costs.

On exit the base weights are copied back from a copy taken on entry, kept in host memory
(subtracting the delta in bf16 would not give them back exactly), so outside the context the
model is what was loaded.
The merged weight is rounded once to the model's dtype: merged and unmerged decoding agree to
that rounding, not bit for bit. Adapters with layers other than plain LoRA linears (embeddings,
DoRA and other variants) are left unmerged and decode through peft as before.

`merged_lora(model, path)` does the same for a plain LoRA adapter read straight from its
`adapter_model.safetensors` (`spillover.sampling.mixed.read_lora`), without injecting peft's
modules at all: the model keeps its plain linear layers, which matters on a GPU, where each of
peft's wrappers adds Python and kernel launches to a step bound by the host (an H200 decoding
a Qwen2.5-0.5B shape: 45 ms a step merged inside peft's disabled wrappers, 24 ms for the bare
model), and on any device saves peft's injection (about half a second per adapter for a 135M
model on a CPU).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from spillover.errors import SpilloverError


def _lora_layers(model: Any, name: str) -> list[Any]:
    from peft.tuners.lora import LoraLayer

    return [m for m in model.modules() if isinstance(m, LoraLayer) and name in m.lora_A]


def mergeable(model: Any, name: str) -> bool:
    """Whether every layer of adapter `name` is a plain LoRA linear whose delta can be added."""
    from peft.tuners.lora import Linear

    layers = _lora_layers(model, name)
    return bool(layers) and all(
        type(m) is Linear and name not in getattr(m, "lora_variant", {}) for m in layers
    )


@contextlib.contextmanager
def _deltas_added(deltas: Iterable[tuple[Any, Any]]) -> Iterator[None]:
    """Within the block, each (weight, float32 delta) pair's delta is added to its weight,
    rounded once to the weight's dtype; on exit every weight is copied back exactly from a copy
    kept in host memory (also when adding failed part-way). `deltas` is consumed inside, so a
    generator computes each delta only when it is added."""
    import torch

    saved: list[tuple[Any, Any]] = []
    try:
        with torch.no_grad():
            for weight, delta in deltas:
                saved.append((weight, weight.detach().to("cpu", copy=True)))
                weight.copy_((weight.float() + delta).to(weight.dtype))
        yield
    finally:
        with torch.no_grad():
            for weight, original in saved:
                weight.copy_(original)


@contextlib.contextmanager
def merged(model: Any, name: str) -> Iterator[bool]:
    """Within the block, `model` computes adapter `name` from merged weights (yields True), or
    through peft's LoRA layers when the adapter cannot be merged (yields False)."""
    if not mergeable(model, name):
        yield False
        return
    deltas = (
        (layer.get_base_layer().weight, layer.get_delta_weight(name).float())
        for layer in _lora_layers(model, name)
    )
    with _deltas_added(deltas), model.disable_adapter():
        yield True


@contextlib.contextmanager
def merged_lora(model: Any, path: Path) -> Iterator[None]:
    """Within the block, `model` computes the plain LoRA adapter in directory `path` from merged
    weights; LoRA branches peft has already attached to `model` are switched off meanwhile.
    Raises SpilloverError when the adapter is not plain LoRA on the model's linear layers."""
    from peft import PeftModel

    from spillover.sampling.mixed import lora_bases, read_lora

    found, why = read_lora(path)
    bases, why = lora_bases(model, found) if why is None else ({}, why)
    if why is not None:
        raise SpilloverError(f"adapter {path} cannot be merged: {why}")

    def deltas() -> Iterator[tuple[Any, Any]]:
        for module, base in bases.items():
            a, b = (t.to(base.weight.device) for t in found[module])
            yield base.weight, (a @ b).T

    with contextlib.ExitStack() as stack:
        if isinstance(model, PeftModel):  # its own LoRA branches stay out
            stack.enter_context(model.disable_adapter())
        stack.enter_context(_deltas_added(deltas()))
        yield
