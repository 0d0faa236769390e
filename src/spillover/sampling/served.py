"""Sample chat replies from models inspect serves (API providers, `vllm/`), many requests at once.

Every request of one call goes out in a single event loop, so models that share a server (a
vLLM base and its LoRA adapters) see them together and batch them; inspect's own retries and
connection limits apply.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

Conversation = Sequence[dict[str, str]]
# one model's share of a call: inspect model id, its model args, the conversations to answer
ServedRequest = tuple[str, dict[str, Any], Sequence[Conversation]]


def sample_served(
    requests: Sequence[ServedRequest], *, temperature: float, max_tokens: int, seed: int
) -> list[list[str]]:
    """For each (model, model args, conversations): one reply per conversation, in order."""
    from inspect_ai.model import (
        ChatMessageAssistant,
        ChatMessageSystem,
        ChatMessageUser,
        GenerateConfig,
        get_model,
    )

    kinds: dict[str, Callable[..., Any]] = {
        "system": ChatMessageSystem,
        "user": ChatMessageUser,
        "assistant": ChatMessageAssistant,
    }
    config = GenerateConfig(temperature=temperature, max_tokens=max_tokens, seed=seed)
    models = [get_model(model, config=config, **args) for model, args, _ in requests]

    async def run_all() -> list[list[str]]:
        calls = [
            [
                model.generate([kinds[m["role"]](content=m["content"]) for m in conversation])
                for conversation in conversations
            ]
            for model, (_, _, conversations) in zip(models, requests, strict=True)
        ]
        flat = await asyncio.gather(*[call for group in calls for call in group])
        texts = iter(o.completion for o in flat)
        return [[next(texts) for _ in group] for group in calls]

    return asyncio.run(run_all())
