"""Read a question file in the study's YAML format; every problem becomes an InputError."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from spillover.errors import InputError
from spillover.questions.schema import Question, QuestionSet

_HINT = (
    "a question file is a YAML list of entries with id, type (free_form_judge_0_100 or "
    "free_form_judge), paraphrases, samples_per_paraphrase and judge_prompts"
)


def _line(node: yaml.Node | None) -> int | None:
    return None if node is None else node.start_mark.line + 1


def _compose(path: Path, text: str) -> tuple[Any, yaml.Node | None]:
    """Parse YAML keeping the node tree (for line numbers); YAML errors become InputError."""
    loader: yaml.SafeLoader | None = None
    try:
        loader = yaml.SafeLoader(text)
        node = loader.get_single_node()
        data = None if node is None else loader.construct_document(node)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = err.problem or str(err)
        if "undefined alias" in problem:
            problem = f"{problem} (an *alias that refers to no &anchor)"
        raise InputError(
            path,
            f"invalid YAML: {problem}",
            line=None if mark is None else mark.line + 1,
            hint=_HINT,
        ) from None
    except yaml.YAMLError as err:
        raise InputError(path, f"invalid YAML: {err}", hint=_HINT) from None
    except RecursionError:
        raise InputError(path, "invalid YAML: nested too deeply", hint=_HINT) from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, node


def _field_nodes(entry_node: yaml.Node | None) -> dict[str, yaml.Node]:
    if not isinstance(entry_node, yaml.MappingNode):
        return {}
    out: dict[str, yaml.Node] = {}
    for key, value in entry_node.value:
        if isinstance(key, yaml.ScalarNode):
            out[str(key.value)] = value
    return out


def _entry(path: Path, index: int, raw: Any, node: yaml.Node | None) -> Question:
    line = _line(node)
    if not isinstance(raw, dict):
        raise InputError(
            path,
            f"entry {index} must be a mapping, got {type(raw).__name__}",
            line=line,
            hint=_HINT,
        )
    raw_id = raw.get("id")
    entry = raw_id if isinstance(raw_id, str) and raw_id else f"#{index}"
    fields = _field_nodes(node)
    try:
        return Question.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        loc = [str(part) for part in first["loc"]]
        field = loc[0] if loc else None
        problem = first["msg"]
        if first["type"] == "missing":
            problem = "required field is missing"
        elif first["type"] == "extra_forbidden":
            problem = "unknown field"
        elif len(loc) > 1:
            problem = f"{'.'.join(loc[1:])}: {problem}"
        field_line = _line(fields.get(field)) if field else None
        raise InputError(
            path, problem, line=field_line or line, entry=entry, field=field, hint=_HINT
        ) from None
    except RecursionError:
        raise InputError(
            path, "entry nested too deeply", line=line, entry=entry, hint=_HINT
        ) from None


def load_questions(path: str | Path, name: str | None = None) -> QuestionSet:
    """Load and validate a question file; bad input raises InputError naming file, entry and field."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as err:
        raise InputError(file, f"cannot read ({err.strerror or err})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(file, f"not UTF-8 text (byte {err.start})") from None
    raw, root = _compose(file, text)
    if raw is None:
        raise InputError(file, "the file has no questions", hint=_HINT)
    if not isinstance(raw, list):
        raise InputError(
            file,
            f"the top level must be a list of questions, got {type(raw).__name__}",
            line=_line(root),
            hint=_HINT,
        )
    nodes: list[yaml.Node | None] = list(root.value) if isinstance(root, yaml.SequenceNode) else []
    nodes += [None] * (len(raw) - len(nodes))
    questions: list[Question] = []
    seen: dict[str, int] = {}
    for index, (item, node) in enumerate(zip(raw, nodes, strict=True)):
        question = _entry(file, index, item, node)
        if question.id in seen:
            raise InputError(
                file,
                f"duplicate id (first used by entry {seen[question.id]})",
                line=_line(_field_nodes(node).get("id")) or _line(node),
                entry=question.id,
                field="id",
                hint="every question needs its own id",
            )
        seen[question.id] = index
        questions.append(question)
    if not questions:
        raise InputError(file, "the file has no questions", hint=_HINT)
    return QuestionSet(name=name or file.stem, source=file, questions=questions)
