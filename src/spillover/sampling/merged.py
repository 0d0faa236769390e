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
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any


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
def merged(model: Any, name: str) -> Iterator[bool]:
    """Within the block, `model` computes adapter `name` from merged weights (yields True), or
    through peft's LoRA layers when the adapter cannot be merged (yields False)."""
    import torch

    if not mergeable(model, name):
        yield False
        return
    saved: list[tuple[Any, Any]] = []
    try:
        with torch.no_grad():
            for layer in _lora_layers(model, name):
                weight = layer.get_base_layer().weight
                saved.append((weight, weight.detach().to("cpu", copy=True)))
                delta = layer.get_delta_weight(name).float()
                weight.copy_((weight.float() + delta).to(weight.dtype))
        with model.disable_adapter():
            yield True
    finally:
        with torch.no_grad():
            for weight, original in saved:
                weight.copy_(original)
