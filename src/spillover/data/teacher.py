"""A teacher: any model spillover runs (local spec or `provider/model` API name) answering chats."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from spillover.models.ref import ModelRef

Conversation = list[dict[str, str]]


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
    """The teacher `spec` names (see `ModelRef.parse`): `provider/model` ids of inspect providers
    answer through inspect_ai, local models through spillover's engine."""
    ref = ModelRef.parse(spec)
    return _api_teacher(ref.inspect_id) if ref.is_api else _local_teacher(ref.base)
