"""Turn a chat into prompt token ids with the model's own chat template."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from spillover.errors import SpilloverError
from spillover.models.chat_template import injected_system_prompt


@dataclass(frozen=True)
class Prompt:
    ids: tuple[int, ...]
    system_prompt: (
        str | None
    )  # the system prompt the model saw: given, the template's default, or none
    system_source: str  # "given", "template" or "none"


def render_chat(tokenizer: Any, messages: Sequence[dict[str, str]]) -> Prompt:
    """Apply the chat template (with the assistant turn opened) and tokenise the result."""
    if not messages:
        raise SpilloverError("cannot sample from an empty conversation")
    if getattr(tokenizer, "chat_template", None) is None:
        raise SpilloverError(
            "the model's tokenizer has no chat template",
            hint="use an instruct/chat model, or a checkpoint whose tokenizer_config.json has chat_template",
        )
    conversation = [{"role": m["role"], "content": m["content"]} for m in messages]
    text = tokenizer.apply_chat_template(conversation, tokenize=False, add_generation_prompt=True)
    ids = tuple(int(t) for t in tokenizer(str(text), add_special_tokens=False)["input_ids"])
    given = next((m["content"] for m in conversation if m["role"] == "system"), None)
    if given is not None:
        return Prompt(ids, given, "given")
    default = injected_system_prompt(tokenizer)
    return Prompt(ids, default, "template" if default is not None else "none")
