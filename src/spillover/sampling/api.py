"""In-process engine cache (one base model per spec) and the plain-Python `sample_chat`."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from spillover.sampling.engine import Engine
from spillover.sampling.prompt import render_chat
from spillover.sampling.types import Request, SamplingParams

_ENGINES: dict[tuple[str, str, str], Engine] = {}
_LOCK = threading.Lock()

DEFAULT_MAX_BATCH = 32


def get_engine(
    spec: str, dtype: Any = None, device: str | None = None, max_batch: int | None = None
) -> Engine:
    """The engine for base model `spec`, loaded once per process (adapters switch on top of it)."""
    from spillover.models.device import preferred_device, preferred_dtype
    from spillover.models.resolve import resolve_model

    resolved = resolve_model(spec)
    device = device or preferred_device()
    dtype = dtype or preferred_dtype(device)
    key = (str(resolved.path.resolve()), str(dtype), device)
    with _LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            from spillover.models.load import load_causal_lm

            loaded = load_causal_lm(spec, dtype=dtype, device=device)
            engine = Engine(loaded, max_batch=max_batch or DEFAULT_MAX_BATCH)
            _ENGINES[key] = engine
        elif max_batch is not None:
            engine.max_batch = max_batch
        return engine


def clear_engines() -> None:
    """Close and forget every cached engine (frees their models)."""
    with _LOCK:
        for engine in _ENGINES.values():
            engine.close()
        _ENGINES.clear()


def sample_chat(
    model_spec: str,
    conversations: Sequence[Sequence[dict[str, str]]],
    n: int = 1,
    temperature: float = 1.0,
    top_p: float = 1.0,
    max_new_tokens: int = 600,
    adapter: str | Path | None = None,
    seed: int = 0,
) -> list[list[str]]:
    """`n` sampled assistant replies per conversation, in order. Reply j of conversation i uses
    seed `seed + i * n + j`, so a rerun with the same arguments gives the same text."""
    engine = get_engine(model_spec)
    adapter_key = str(Path(adapter).resolve()) if adapter is not None else None
    requests = []
    for i, conversation in enumerate(conversations):
        prompt = render_chat(engine.tokenizer, list(conversation))
        for j in range(n):
            params = SamplingParams(
                temperature=temperature,
                top_p=top_p,
                max_new_tokens=max_new_tokens,
                seed=seed + i * n + j,
            )
            requests.append(Request(prompt.ids, params, adapter_key))
    completions = engine.generate(requests)
    return [[c.text for c in completions[i * n : (i + 1) * n]] for i in range(len(conversations))]
