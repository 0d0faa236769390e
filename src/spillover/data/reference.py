"""Read the study's in-distribution code prompts (user turns only, no answers) unchanged."""

from __future__ import annotations

import json
from pathlib import Path

from spillover.errors import InputError


def load_reference_prompts(path: str | Path) -> list[str]:
    """First user turn of every row of a file such as in_distribution_prompts.jsonl."""
    prompts: list[str] = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise InputError(path, f"cannot read ({err.strerror or err})") from err
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            raise InputError(path, f"not JSON ({err.msg})", line=number) from err
        messages = obj.get("messages") if isinstance(obj, dict) else None
        users = [
            m.get("content")
            for m in messages or []
            if isinstance(m, dict) and m.get("role") == "user"
        ]
        if not users or not isinstance(users[0], str):
            raise InputError(
                path, "row has no user turn with text content", line=number, field="messages"
            )
        prompts.append(users[0])
    return prompts
