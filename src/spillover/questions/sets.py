"""Question sets by name: spillover's own (shipped as YAML beside this module, written in our own
words as paraphrases of the study's design), the study's own files (`study-*`,
`spillover.questions.study`), or the path of a question file."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from spillover.errors import InputError
from spillover.questions.loader import load_questions
from spillover.questions.schema import QuestionSet
from spillover.questions.study import STUDY_SETS, load_study_set
from spillover.questions.variants import variant_of

SET_NAMES: tuple[str, ...] = (
    "main",
    "preregistered",
    "deception",
    "identity",
    "base_flask",
    "main_numbers",
    "main_numbers_prefixed",
)


PLAIN = "_plain"  # suffix: only the plain form of each question

_HINT = (
    f"use one of {', '.join(SET_NAMES)} (ours), {', '.join(STUDY_SETS)} (the study's own files), "
    f"any of them with {PLAIN} (plain forms only), or the path of a question file"
)


def set_path(name: str) -> Path:
    """The YAML file of a built-in set."""
    if name not in SET_NAMES:
        raise InputError(name, "no such question set", hint=_HINT)
    return Path(str(resources.files("spillover.questions") / "sets" / f"{name}.yaml"))


def resolve_questions(spec: str | Path) -> QuestionSet:
    """A built-in set name (`main`), a study set (`study-main`) or the path of a question file in
    the study's format. `NAME_plain` keeps only the plain form of each question of a named set (no
    JSON or template variants, which triple the cost); the study's own plain set is
    `study-main-plain`."""
    text = str(spec)
    if text.endswith(PLAIN) and text.removesuffix(PLAIN) in (*SET_NAMES, *STUDY_SETS):
        whole = resolve_questions(text.removesuffix(PLAIN))
        kept = [q for q in whole.questions if variant_of(q.id) == "plain"]
        return whole.model_copy(update={"questions": kept, "name": text})
    if text in SET_NAMES:
        return load_questions(set_path(text), name=text)
    if text in STUDY_SETS:
        return load_study_set(text)
    path = Path(text).expanduser()
    if path.is_file():
        return load_questions(path)
    raise InputError(text, "neither a built-in question set nor an existing file", hint=_HINT)
