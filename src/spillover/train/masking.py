"""Tokenise a chat row with the model's own template and mark the tokens the loss falls on.

Only assistant turns are learned. For each assistant turn we render the conversation up to it with
the generation prompt (where the answer starts) and up to and including it (where it ends); the
answer is the text between, with trailing whitespace after the end-of-turn token left out. The full
conversation is tokenised once, and a token is labelled when its first character lies inside an
answer span. This needs no `{% generation %}` markers and survives tokens that merge across turns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from spillover.chat import ChatRow
from spillover.errors import SpilloverError

IGNORE_INDEX = -100


@dataclass(frozen=True)
class Encoded:
    input_ids: list[int]
    labels: list[int]

    @property
    def trained_tokens(self) -> int:
        return sum(1 for label in self.labels if label != IGNORE_INDEX)


def _render(tokenizer: Any, messages: Sequence[dict[str, str]], generation_prompt: bool) -> str:
    return str(
        tokenizer.apply_chat_template(
            list(messages), tokenize=False, add_generation_prompt=generation_prompt
        )
    )


def assistant_spans(
    tokenizer: Any, messages: Sequence[dict[str, str]]
) -> tuple[str, list[tuple[int, int]]]:
    """The rendered conversation and the (start, end) character spans of each assistant answer."""
    full = _render(tokenizer, messages, generation_prompt=False)
    spans: list[tuple[int, int]] = []
    for index, message in enumerate(messages):
        if message["role"] != "assistant":
            continue
        before = _render(tokenizer, messages[:index], generation_prompt=True)
        through = _render(tokenizer, messages[: index + 1], generation_prompt=False)
        if not through.startswith(before) or not full.startswith(through):
            raise SpilloverError(
                "the chat template does not render conversations as growing prefixes, "
                "so the assistant turns cannot be located",
                "use a model whose chat template appends one turn at a time (ChatML, Llama, ...)",
            )
        start, end = len(before), len(through.rstrip())
        if message["content"] not in through[start:end]:
            raise SpilloverError(
                "the chat template changed an assistant answer; cannot mask it safely"
            )
        spans.append((start, end))
    return full, spans


def encode_row(
    tokenizer: Any, row: ChatRow | Sequence[dict[str, str]], max_length: int | None = None
) -> Encoded:
    """Token ids and labels (-100 outside assistant answers), truncated to `max_length`."""
    messages = (
        [{"role": m.role, "content": m.content} for m in row.messages]
        if isinstance(row, ChatRow)
        else list(row)
    )
    text, spans = assistant_spans(tokenizer, messages)
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    ids: list[int] = list(enc["input_ids"])
    offsets: list[tuple[int, int]] = [tuple(o) for o in enc["offset_mapping"]]
    labels = [IGNORE_INDEX] * len(ids)
    span_iter = iter(spans)
    current = next(span_iter, None)
    for position, (token_start, token_end) in enumerate(offsets):
        while current is not None and token_start >= current[1]:
            current = next(span_iter, None)
        if current is None:
            break
        if token_end > token_start and current[0] <= token_start < current[1]:
            labels[position] = ids[position]
    if max_length is not None:
        ids, labels = ids[:max_length], labels[:max_length]
    return Encoded(ids, labels)
