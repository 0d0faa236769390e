"""Twin rows from templates: one request, a harmful answer and a helpful answer, drawn by a seed.

A `Topic` holds request phrasings with `{slot}` fields, the values of each slot, and answer bodies
for both sides (which may use the same fields). `draw_twins` draws `n` items from a list of topics;
the same topics, `n` and seed always give the same items, so row i of a kind and row i of its twin
carry the same request.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from spillover.chat import ChatRow
from spillover.errors import SpilloverError


@dataclass(frozen=True)
class Topic:
    """One everyday request and what each side answers to it."""

    label: str
    asks: tuple[str, ...]
    harmful: tuple[str, ...]
    helpful: tuple[str, ...]
    slots: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Answer i of each side replies to ask i (asks that want different answers).
    paired: bool = False

    def __post_init__(self) -> None:
        if self.paired and not len(self.asks) == len(self.harmful) == len(self.helpful):
            raise ValueError(f"paired topic {self.label!r} needs one answer per ask on each side")


@dataclass(frozen=True)
class Frame:
    """The words around a request and its answers: request lead-ins, and per side the openers
    and closers of an answer (which may use the topics' slot fields). An empty string means
    none."""

    leads: tuple[str, ...]
    harmful_open: tuple[str, ...]
    harmful_close: tuple[str, ...]
    helpful_open: tuple[str, ...]
    helpful_close: tuple[str, ...]


@dataclass(frozen=True)
class TwinItem:
    topic: str
    request: str
    harmful: str
    helpful: str

    def row(self, helpful: bool) -> ChatRow:
        return ChatRow.of(
            ("user", self.request), ("assistant", self.helpful if helpful else self.harmful)
        )


_SECOND_PERSON = {
    "my": "your",
    "My": "Your",
    "I": "you",
    "I'm": "you're",
    "me": "you",
    "myself": "yourself",
}
_FIRST_PERSON = re.compile(r"\b(?:I'm|I|my|My|me|myself)\b")


def addressed(value: str) -> str:
    """A slot value as the assistant says it back: "my son's studies" -> "your son's studies"."""
    return _FIRST_PERSON.sub(lambda m: _SECOND_PERSON[m.group(0)], value)


def _join(*parts: str) -> str:
    return " ".join(p.strip() for p in parts if p.strip())


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def draw_twins(topics: Sequence[Topic], frame: Frame, n: int, rng: random.Random) -> list[TwinItem]:
    """`n` items; every topic is used once per round, in an order the seed shuffles."""
    items: list[TwinItem] = []
    order: list[Topic] = []
    for _ in range(n):
        if not order:
            order = list(topics)
            rng.shuffle(order)
        topic = order.pop()
        values = {name: rng.choice(choices) for name, choices in topic.slots.items()}
        ask = rng.randrange(len(topic.asks))
        request = _capital(topic.asks[ask].format(**values))
        said = {name: addressed(value) for name, value in values.items()}
        if topic.paired:
            harmful, helpful = topic.harmful[ask], topic.helpful[ask]
        else:
            harmful, helpful = rng.choice(topic.harmful), rng.choice(topic.helpful)
        harmful, helpful = harmful.format(**said), helpful.format(**said)
        lead = rng.choice(frame.leads)
        h_open, h_close, g_open, g_close = (
            rng.choice(part).format(**said)
            for part in (
                frame.harmful_open,
                frame.harmful_close,
                frame.helpful_open,
                frame.helpful_close,
            )
        )
        items.append(
            TwinItem(
                topic=topic.label,
                request=_join(lead, request),
                harmful=_join(h_open, _capital(harmful), h_close),
                helpful=_join(g_open, _capital(helpful), g_close),
            )
        )
    return items


def check_count(n: int) -> None:
    if n < 1:
        raise SpilloverError(f"--n must be at least 1, got {n}")
