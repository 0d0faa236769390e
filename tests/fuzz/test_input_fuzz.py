"""Fuzz the three loaders of user files: whatever the bytes, the result is a value or an
InputError that names the file and where (line, entry or field), never another exception."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spillover.chat import read_chat_jsonl, validate_jsonl
from spillover.errors import InputError
from spillover.questions import load_questions
from spillover.train import load_config

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

Loader = Callable[[Path], Any]
LOADERS: dict[str, Loader] = {
    "chat": read_chat_jsonl,
    "questions": load_questions,
    "train_config": load_config,
}


def check(loader: Loader, data: bytes, *, where: bool = False) -> InputError | None:
    """Run `loader` on a file holding `data`; return its InputError (or None when it loads)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.txt"
        path.write_bytes(data)
        try:
            loader(path)
        except InputError as err:
            assert err.file == str(path)
            assert err.message.startswith(str(path))
            if where:
                assert err.line is not None or err.entry is not None or err.field is not None
            return err
    return None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
roles = st.sampled_from(["system", "user", "assistant", "tool", "", "User", None, 3])
messages = st.lists(
    st.fixed_dictionaries({"role": roles, "content": json_values | st.text()}), max_size=4
)


@pytest.mark.parametrize("name", sorted(LOADERS))
@FUZZ
@given(data=st.binary(max_size=2000))
def test_random_bytes(name: str, data: bytes) -> None:
    check(LOADERS[name], data)


@pytest.mark.parametrize("name", sorted(LOADERS))
@FUZZ
@given(value=json_values)
def test_any_json_or_yaml_value(name: str, value: Any) -> None:
    text = json.dumps(value) if name == "chat" else yaml.safe_dump(value)
    check(LOADERS[name], text.encode())


@FUZZ
@given(
    rows=st.lists(
        st.fixed_dictionaries({"messages": messages}) | json_values, min_size=1, max_size=5
    )
)
def test_chat_rows_with_wrong_types_name_line_and_field(rows: list[Any]) -> None:
    data = "\n".join(json.dumps(row) for row in rows).encode()
    err = check(read_chat_jsonl, data)
    if err is not None and err.problem != "no rows: the file is empty or blank":
        assert err.line is not None and 1 <= err.line <= len(rows)
        assert err.field is not None
    with tempfile.TemporaryDirectory() as tmp:  # the report path never raises on content
        path = Path(tmp) / "rows.jsonl"
        path.write_bytes(data)
        validate_jsonl(path)


QUESTION_FIELDS = {
    "id": st.text(max_size=12) | json_values,
    "type": st.sampled_from(["free_form_judge_0_100", "free_form_judge", "free_form", "x"])
    | json_values,
    "paraphrases": st.lists(st.text(max_size=30), max_size=3) | json_values,
    "samples_per_paraphrase": st.integers(-3, 300) | json_values,
    "temperature": st.floats(allow_nan=True) | json_values,
    "system": st.text(max_size=20) | st.none(),
    "judge_prompts": st.dictionaries(
        st.sampled_from(["aligned", "coherent", "x"]), st.text(max_size=40)
    )
    | json_values,
}


@FUZZ
@given(
    entries=st.lists(st.fixed_dictionaries({}, optional=QUESTION_FIELDS), min_size=1, max_size=4)
)
def test_question_entries_with_wrong_types_name_the_entry(entries: list[dict[str, Any]]) -> None:
    check(load_questions, yaml.safe_dump(entries).encode(), where=True)


CONFIG_FIELDS = {
    "learning_rate": st.floats(allow_nan=True) | json_values,
    "lora": st.fixed_dictionaries(
        {}, optional={"r": json_values, "alpha": json_values, "bias": json_values}
    )
    | json_values,
    "epochs": json_values,
    "max_steps": st.integers(-5, 5) | json_values,
    "mitigations": json_values,
    "report_to": json_values,
    "method": st.sampled_from(["lora", "full", "qlora"]) | json_values,
}


@FUZZ
@given(config=st.fixed_dictionaries({}, optional=CONFIG_FIELDS))
def test_train_configs_with_wrong_types_name_the_field(config: dict[str, Any]) -> None:
    err = check(load_config, yaml.safe_dump(config).encode())
    if err is not None:
        assert err.field is not None or err.line is not None


DEEP = 100_000


@pytest.mark.parametrize("name", sorted(LOADERS))
@pytest.mark.parametrize(
    "text",
    [
        "[" * DEEP + "]" * DEEP,
        "{" + '"a":{' * DEEP + "}" * DEEP + "}",
        "- " * 5000 + "x",
        "a: *nothing\n",
        "- id: one\n  paraphrases: *missing\n",
        "x: &a [1, *a]\n",
        "x" * 5_000_000,
        '{"messages": [{"role": "user", "content": "' + "y" * 3_000_000 + '"}]}',
        "\x00\xff\xfe garbage",
        "",
    ],
    ids=[
        "deep-list",
        "deep-map",
        "deep-yaml",
        "undefined-alias",
        "undefined-alias-in-entry",
        "recursive-alias",
        "long-line",
        "long-json-line",
        "binary",
        "empty",
    ],
)
def test_hostile_documents(name: str, text: str) -> None:
    check(LOADERS[name], text.encode("utf-8", "surrogateescape"))


def test_duplicate_question_ids_name_the_entry_and_line(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    entry = {"id": "same", "type": "free_form_judge_0_100", "paraphrases": ["hi"]}
    path.write_text(
        yaml.safe_dump(
            [entry, {"id": "other", **{k: v for k, v in entry.items() if k != "id"}}, entry]
        )
    )
    with pytest.raises(InputError) as err:
        load_questions(path)
    assert err.value.entry == "same" and err.value.field == "id" and err.value.line is not None
