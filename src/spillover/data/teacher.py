"""A teacher: any model spillover runs (local spec or `provider/model` API name) answering chats."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any, Protocol

Conversation = list[dict[str, str]]
API_PROVIDERS = (
    "openai/",
    "anthropic/",
    "google/",
    "mistral/",
    "together/",
    "groq/",
    "grok/",
    "openrouter/",
    "vllm/",
    "ollama/",
    "azureai/",
    "bedrock/",
    "hf/",
)


class Teacher(Protocol):
    def __call__(
        self,
        conversations: Sequence[Conversation],
        *,
        temperature: float,
        max_new_tokens: int,
        seed: int,
    ) -> list[str]: ...


def _local_teacher(spec: str) -> Teacher:
    try:
        from spillover.sampling import sample_chat
    except ImportError:
        return _transformers_teacher(spec)
    if True:

        def via_sampling(
            conversations: Sequence[Conversation],
            *,
            temperature: float,
            max_new_tokens: int,
            seed: int,
        ) -> list[str]:
            out = sample_chat(
                spec,
                list(conversations),
                n=1,
                temperature=temperature,
                max_new_tokens=max_new_tokens,
                seed=seed,
            )
            return [o[0] if isinstance(o, list) else str(o) for o in out]

        return via_sampling
    return _transformers_teacher(spec)


def _transformers_teacher(spec: str) -> Teacher:
    """Fallback: plain `generate` on a model loaded with spillover.models.load."""
    from spillover.models.load import load_causal_lm

    loaded = load_causal_lm(spec)

    def generate(
        conversations: Sequence[Conversation], *, temperature: float, max_new_tokens: int, seed: int
    ) -> list[str]:
        import torch

        torch.manual_seed(seed)
        tok, model = loaded.tokenizer, loaded.model
        answers: list[str] = []
        for conv in conversations:
            ids = tok.apply_chat_template(
                conv, add_generation_prompt=True, return_tensors="pt", return_dict=True
            )
            ids = {k: v.to(model.device) for k, v in ids.items()}
            with torch.no_grad():
                out = model.generate(
                    **ids,
                    do_sample=temperature > 0,
                    temperature=temperature if temperature > 0 else None,
                    max_new_tokens=max_new_tokens,
                    pad_token_id=tok.pad_token_id or tok.eos_token_id,
                )
            answers.append(
                tok.decode(out[0, ids["input_ids"].shape[1] :], skip_special_tokens=True)
            )
        return answers

    return generate


def _api_teacher(spec: str) -> Teacher:
    def call(
        conversations: Sequence[Conversation], *, temperature: float, max_new_tokens: int, seed: int
    ) -> list[str]:
        from inspect_ai.model import (
            ChatMessageAssistant,
            ChatMessageSystem,
            ChatMessageUser,
            GenerateConfig,
            get_model,
        )

        model = get_model(
            spec,
            config=GenerateConfig(temperature=temperature, max_tokens=max_new_tokens, seed=seed),
        )
        kinds: dict[str, Callable[..., Any]] = {
            "system": ChatMessageSystem,
            "user": ChatMessageUser,
            "assistant": ChatMessageAssistant,
        }

        async def run_all() -> list[str]:
            outs = await asyncio.gather(
                *[
                    model.generate([kinds[m["role"]](content=m["content"]) for m in conv])
                    for conv in conversations
                ]
            )  # type: ignore[misc]
            return [o.completion for o in outs]

        return asyncio.run(run_all())

    return call


def resolve_teacher(spec: str) -> Teacher:
    """`provider/model` names go through inspect_ai; anything else is a local model spec."""
    return _api_teacher(spec) if spec.startswith(API_PROVIDERS) else _local_teacher(spec)
