"""A teacher: any model spillover runs (local spec or `provider/model` API name) answering chats."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

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
    from spillover.sampling import sample_chat

    def via_sampling(
        conversations: Sequence[Conversation], *, temperature: float, max_new_tokens: int, seed: int
    ) -> list[str]:
        out = sample_chat(
            spec,
            list(conversations),
            temperature=temperature,
            max_new_tokens=max_new_tokens,
            seed=seed,
        )
        return [answers[0] for answers in out]

    return via_sampling


def _api_teacher(spec: str) -> Teacher:
    def call(
        conversations: Sequence[Conversation], *, temperature: float, max_new_tokens: int, seed: int
    ) -> list[str]:
        from spillover.sampling.served import ServedRequest, sample_served

        request: ServedRequest = (spec, {}, conversations)
        return sample_served(
            [request], temperature=temperature, max_tokens=max_new_tokens, seed=seed
        )[0]

    return call


def resolve_teacher(spec: str) -> Teacher:
    """`provider/model` names go through inspect_ai; anything else is a local model spec."""
    return _api_teacher(spec) if spec.startswith(API_PROVIDERS) else _local_teacher(spec)
