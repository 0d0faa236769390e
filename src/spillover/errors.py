"""Errors that the CLI turns into one clear line and a hint."""

from __future__ import annotations

from pathlib import Path


class SpilloverError(Exception):
    """An error a user can act on: a message and an optional hint."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class InputError(SpilloverError):
    """Bad input: names the file, the line or entry, and the field."""

    def __init__(
        self,
        file: str | Path,
        problem: str,
        *,
        line: int | None = None,
        entry: str | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.file = str(file)
        self.line = line
        self.entry = entry
        self.field = field
        self.problem = problem
        where = self.file
        if line is not None:
            where += f":{line}"
        if entry is not None:
            where += f" entry {entry!r}"
        if field is not None:
            where += f" field {field!r}"
        super().__init__(f"{where}: {problem}", hint)


class OfflineError(SpilloverError):
    """Something needed the network and there is none."""
