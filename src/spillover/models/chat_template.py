"""What a model's chat template does on its own: the system prompt it injects when none is given."""

from __future__ import annotations

from typing import Any

_SYS = "\x00SPILLOVER-SYSTEM\x00"
_USER = "\x00SPILLOVER-USER\x00"


def render(
    tokenizer: Any, messages: list[dict[str, str]], add_generation_prompt: bool = True
) -> str:
    text = tokenizer.apply_chat_template(
        messages, tokenize=False, add_generation_prompt=add_generation_prompt
    )
    return str(text)


def injected_system_prompt(tokenizer: Any) -> str | None:
    """The system prompt the template adds when the conversation has none (None if it adds none)."""
    if getattr(tokenizer, "chat_template", None) is None:
        return None
    try:
        with_sys = render(
            tokenizer, [{"role": "system", "content": _SYS}, {"role": "user", "content": _USER}]
        )
        bare = render(tokenizer, [{"role": "user", "content": _USER}])
    except Exception:
        return None
    if _SYS not in with_sys:
        return None
    before, after = with_sys.split(_SYS, 1)
    closing = after.split(_USER, 1)[0]
    if not bare.startswith(before):
        return None
    rest = bare[len(before) :]
    end = rest.find(closing)
    if end <= 0:
        return None
    return rest[:end]
