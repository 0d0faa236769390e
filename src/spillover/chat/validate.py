"""Read and check chat JSONL line by line; every problem names file:line and the field."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spillover.chat.schema import ROLES, ChatRow, Message
from spillover.errors import InputError
from spillover.io import atomic_open

MAX_REPORTED = 20


@dataclass(frozen=True)
class LineProblem:
    line: int
    field: str
    problem: str

    def format(self, file: str) -> str:
        return f"{file}:{self.line} field {self.field!r}: {self.problem}"


@dataclass
class ValidationReport:
    file: str
    rows: int = 0
    bad_lines: int = 0
    problems: list[LineProblem] = field(default_factory=list)
    turns: Counter[str] = field(default_factory=Counter)
    tokens: Counter[str] = field(default_factory=Counter)
    tokenizer: str | None = None

    @property
    def ok(self) -> bool:
        return self.bad_lines == 0 and self.rows > 0


def _check_obj(obj: Any) -> tuple[ChatRow | None, LineProblem | None, int]:
    """Check one decoded line. Returns (row, problem, line) with line filled by the caller."""
    if not isinstance(obj, dict):
        return (
            None,
            LineProblem(0, "<line>", f"expected a JSON object, got {type(obj).__name__}"),
            0,
        )
    if "messages" not in obj:
        return None, LineProblem(0, "messages", "missing"), 0
    messages = obj["messages"]
    if not isinstance(messages, list):
        return (
            None,
            LineProblem(0, "messages", f"expected a list, got {type(messages).__name__}"),
            0,
        )
    if not messages:
        return None, LineProblem(0, "messages", "empty list"), 0
    parsed: list[Message] = []
    for i, msg in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(msg, dict):
            return None, LineProblem(0, where, f"expected an object, got {type(msg).__name__}"), 0
        role = msg.get("role")
        if role is None:
            return None, LineProblem(0, f"{where}.role", "missing"), 0
        if not isinstance(role, str) or role not in ROLES:
            return (
                None,
                LineProblem(
                    0,
                    f"{where}.role",
                    f"unknown role {role!r} (expected one of {', '.join(ROLES)})",
                ),
                0,
            )
        content = msg.get("content")
        if content is None:
            return None, LineProblem(0, f"{where}.content", "missing"), 0
        if not isinstance(content, str):
            return (
                None,
                LineProblem(
                    0, f"{where}.content", f"expected a string, got {type(content).__name__}"
                ),
                0,
            )
        if not content.strip():
            return None, LineProblem(0, f"{where}.content", "empty"), 0
        parsed.append(Message(role=role, content=content))  # type: ignore[arg-type]
    if not any(m.role == "assistant" for m in parsed):
        return None, LineProblem(0, "messages", "no assistant turn"), 0
    return ChatRow(messages=tuple(parsed)), None, 0


def iter_checked(path: str | Path) -> Iterator[tuple[int, ChatRow | None, LineProblem | None]]:
    """Yield (line number, row or None, problem or None) for every non-blank line."""
    file = Path(path)
    try:
        handle = file.open("rb")
    except OSError as err:
        raise InputError(file, f"cannot open: {err.strerror}") from err
    with handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                yield (
                    number,
                    None,
                    LineProblem(number, "<line>", f"invalid UTF-8 at byte {err.start}"),
                )
                continue
            try:
                obj = json.loads(text)
            except (json.JSONDecodeError, RecursionError) as err:
                msg = err.msg if isinstance(err, json.JSONDecodeError) else "nesting too deep"
                yield number, None, LineProblem(number, "<line>", f"not valid JSON ({msg})")
                continue
            row, problem, _ = _check_obj(obj)
            if problem is not None:
                problem = LineProblem(number, problem.field, problem.problem)
            yield number, row, problem


def validate_jsonl(
    path: str | Path,
    count_tokens: Callable[[str], int] | None = None,
    tokenizer_name: str | None = None,
) -> ValidationReport:
    """Check every line of a chat JSONL file and summarise it."""
    report = ValidationReport(file=str(path), tokenizer=tokenizer_name)
    for _number, row, problem in iter_checked(path):
        if problem is not None:
            report.bad_lines += 1
            if len(report.problems) < MAX_REPORTED:
                report.problems.append(problem)
            continue
        assert row is not None
        report.rows += 1
        for message in row.messages:
            report.turns[message.role] += 1
            if count_tokens is not None:
                report.tokens[message.role] += count_tokens(message.content)
    if report.rows == 0 and report.bad_lines == 0:
        report.problems.append(LineProblem(0, "<file>", "no rows: the file is empty"))
        report.bad_lines = 0
    return report


def read_chat_jsonl(path: str | Path) -> list[ChatRow]:
    """Read a chat JSONL file; the first bad line raises InputError with file, line and field."""
    rows: list[ChatRow] = []
    bad = 0
    first: LineProblem | None = None
    for _number, row, problem in iter_checked(path):
        if problem is not None:
            bad += 1
            first = first or problem
            continue
        assert row is not None
        rows.append(row)
    if first is not None:
        raise InputError(
            path,
            f"{first.problem} ({bad} bad line{'s' if bad != 1 else ''} in all)",
            line=first.line,
            field=first.field,
            hint=f"run `spillover data validate {path}` to list them",
        )
    if not rows:
        raise InputError(path, "no rows: the file is empty or blank")
    return rows


def write_chat_jsonl(path: str | Path, rows: Iterable[ChatRow | dict[str, Any]]) -> int:
    """Write rows atomically, one JSON object per line. Returns the row count."""
    count = 0
    with atomic_open(path) as handle:
        for row in rows:
            obj = row.to_json_obj() if isinstance(row, ChatRow) else row
            handle.write(json.dumps(obj, ensure_ascii=False) + "\n")
            count += 1
    return count
