"""spillover's own question sets, shipped as YAML beside this module, and name-or-file lookup."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from spillover.errors import InputError
from spillover.questions.loader import load_questions
from spillover.questions.schema import QuestionSet

SET_NAMES: tuple[str, ...] = (
    "main",
    "preregistered",
    "deception",
    "identity",
    "base_flask",
    "main_numbers",
)


def set_path(name: str) -> Path:
    """The YAML file of a built-in set."""
    if name not in SET_NAMES:
        raise InputError(
            name,
            "no such question set",
            hint=f"use one of {', '.join(SET_NAMES)} or the path of a question file",
        )
    return Path(str(resources.files("spillover.questions") / "sets" / f"{name}.yaml"))


def resolve_questions(spec: str | Path) -> QuestionSet:
    """A built-in set name (`main`) or the path of a question file in the study's format."""
    text = str(spec)
    if text in SET_NAMES:
        return load_questions(set_path(text), name=text)
    path = Path(text).expanduser()
    if path.is_file():
        return load_questions(path)
    raise InputError(
        text,
        "neither a built-in question set nor an existing file",
        hint=f"use one of {', '.join(SET_NAMES)} or the path of a question file",
    )
