"""Load a causal LM and its tokenizer from any model spec, with an optional LoRA adapter."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spillover.errors import SpilloverError
from spillover.models.resolve import ResolvedModel, resolve_model


@dataclass
class LoadedModel:
    resolved: ResolvedModel
    model: Any
    tokenizer: Any
    dtype: Any
    device: str
    adapter: str | None = None


def load_tokenizer(spec: str) -> Any:
    from transformers import AutoTokenizer

    resolved = resolve_model(spec)
    tokenizer = AutoTokenizer.from_pretrained(str(resolved.path))
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_causal_lm(
    spec: str,
    adapter: str | Path | None = None,
    dtype: Any = None,
    device: str | None = None,
) -> LoadedModel:
    """Load weights for `spec` (registry name, directory or hub id); apply `adapter` if given."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from spillover.models.device import preferred_device, preferred_dtype

    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    resolved = resolve_model(spec)
    device = device or preferred_device()
    dtype = dtype or preferred_dtype(device)
    tokenizer = AutoTokenizer.from_pretrained(str(resolved.path))
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model: Any = AutoModelForCausalLM.from_pretrained(str(resolved.path), dtype=dtype)
    model.to(device)
    if adapter is not None:
        model = attach_adapter(model, adapter)
    model.eval()
    model.requires_grad_(False)  # inference: callers run forwards under torch.inference_mode
    return LoadedModel(resolved, model, tokenizer, dtype, device, str(adapter) if adapter else None)


def attach_adapter(model: Any, adapter: str | Path, name: str = "default") -> Any:
    """Wrap `model` with a peft LoRA adapter read from a local directory."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from peft import PeftModel

    path = Path(adapter)
    if not (path / "adapter_config.json").is_file():
        raise SpilloverError(f"{path} is not a LoRA adapter: it has no adapter_config.json")
    with peft_wrapping():
        return PeftModel.from_pretrained(model, str(path), adapter_name=name, is_trainable=False)


@contextmanager
def peft_wrapping() -> Iterator[None]:
    """Around peft wrapping a transformers model: peft asks the model for
    `is_gradient_checkpointing`, a property transformers has deprecated in favour of
    `is_activation_checkpointing`, and transformers then prints a FutureWarning about peft's
    code that a user can do nothing about. Only that warning, from that property, is ignored,
    and only inside this block; every other warning shows as usual."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="`is_gradient_checkpointing` is deprecated", category=FutureWarning
        )
        yield
