"""Read a study file; every problem is an InputError naming the file, the line and the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from spillover.errors import InputError, SpilloverError
from spillover.study.schema import LoadedStudy, StudySpec, line_of

HINT = "see examples/studies/smoke.yaml for a study file"


def node_lines(node: yaml.Node | None, prefix: str = "") -> dict[str, int]:
    """Every mapping key and list item of a YAML node tree -> its line (1-based), by dotted path."""
    out: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            path = f"{prefix}{key.value}"
            out[path] = key.start_mark.line + 1
            out.update(node_lines(value, path + "."))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            path = f"{prefix}{index}"
            out[path] = item.start_mark.line + 1
            out.update(node_lines(item, path + "."))
    return out


def _parse(path: Path) -> tuple[Any, dict[str, int]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise InputError(path, f"cannot read ({err.strerror or err})", hint=HINT) from None
    except UnicodeDecodeError as err:
        raise InputError(path, f"not UTF-8 text (byte {err.start})") from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = None if node is None else loader.construct_document(node)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        raise InputError(
            path,
            f"invalid YAML: {err.problem or err}",
            line=None if mark is None else mark.line + 1,
        ) from None
    except (yaml.YAMLError, RecursionError) as err:
        raise InputError(path, f"invalid YAML: {err}") from None
    finally:
        loader.dispose()
    return data, node_lines(node)


def load_study(path: str | Path) -> LoadedStudy:
    """Validate the schema, then what it points at (dataset files, question sets)."""
    file = Path(path)
    raw, lines = _parse(file)
    if not isinstance(raw, dict):
        raise InputError(file, "a study file is a mapping of settings", line=1, hint=HINT)
    try:
        spec = StudySpec.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        loc = [str(p) for p in first["loc"]]
        field = ".".join(loc) or None
        problem = str(first["msg"])
        if first["type"] == "extra_forbidden":
            problem = f"unknown axis or setting {loc[-1]!r}" if len(loc) == 1 else "unknown setting"
        elif first["type"] == "missing":
            problem = "required setting is missing"
        line = line_of(lines, field) if field else None
        raise InputError(file, problem, line=line, field=field, hint=HINT) from None
    study = LoadedStudy(spec=spec, path=file, lines=lines)
    check_references(study)
    return study


def dataset_file(study: LoadedStudy, file: str) -> Path:
    given = Path(file).expanduser()
    return given if given.is_absolute() else (study.path.parent / given).resolve()


def check_references(study: LoadedStudy) -> None:
    """Every dataset file exists, every study file and question set is known."""
    from spillover.data.fetch import resolve_names
    from spillover.questions import resolve_questions

    def fail(field: str, problem: str, hint: str | None = None) -> InputError:
        return InputError(study.path, problem, line=study.line(field), field=field, hint=hint)

    for index, data in enumerate(study.spec.datasets):
        if data.file is not None and not dataset_file(study, data.file).is_file():
            raise fail(
                f"datasets.{index}.file",
                f"dataset file not found: {dataset_file(study, data.file)}",
                "paths are relative to the study file",
            )
        if data.study is not None:
            try:
                resolve_names(data.study)
            except SpilloverError as err:
                raise fail(f"datasets.{index}.study", err.message, err.hint) from None
    for index, name in enumerate(study.spec.evaluate.questions):
        try:
            resolve_questions(name)
        except SpilloverError as err:
            raise fail(f"evaluate.questions.{index}", err.message, err.hint) from None
