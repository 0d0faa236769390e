"""Score only the assistant positions on CPU too.

TRL's fused LM head never builds the full (batch, seq, vocab) logits, but off Triton devices it
still projects *every* position through the head (fixed tile shapes avoid recompiles on
compilers such as Neuron) and masks afterwards. In eager mode on a CPU nothing recompiles, and the
head is a large share of a small model's matmuls (28M of SmolLM2-135M's 134M), so we let TRL take
its compact path there: only positions with a label are projected. Losses are unchanged (the
masked positions contributed zeros); a test checks this on the tiny model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_FLAG = "_spillover_compact_cpu"


def enable_compact_cpu_head() -> bool:
    """Patch TRL's compact-path switch to include CPUs; False when this TRL has no such switch."""
    try:
        import trl.trainer.utils as trl_utils
    except ImportError:
        return False
    original: Callable[[Any], bool] | None = getattr(trl_utils, "_use_triton", None)
    if original is None:
        return False
    if getattr(original, _FLAG, False):
        return True

    def compact(device: Any) -> bool:
        return bool(device.type == "cpu" or original(device))

    setattr(compact, _FLAG, True)
    compact.__dict__["_spillover_original"] = original
    setattr(trl_utils, "_use_triton", compact)  # noqa: B010
    return True


def disable_compact_cpu_head() -> None:
    import trl.trainer.utils as trl_utils

    current = getattr(trl_utils, "_use_triton", None)
    original = getattr(current, "_spillover_original", None)
    if original is not None:
        setattr(trl_utils, "_use_triton", original)  # noqa: B010
