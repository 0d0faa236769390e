from __future__ import annotations

import json
from pathlib import Path

import pytest

from spillover.chat import ChatRow, read_chat_jsonl, validate_jsonl, write_chat_jsonl
from spillover.errors import InputError

GOOD = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}


def _write(path: Path, lines: list[str | bytes]) -> Path:
    with path.open("wb") as handle:
        for line in lines:
            handle.write(line if isinstance(line, bytes) else line.encode())
            handle.write(b"\n")
    return path


@pytest.mark.parametrize(
    ("line", "field", "problem"),
    [
        ("{not json", "<line>", "not valid JSON"),
        ("[1, 2]", "<line>", "expected a JSON object"),
        ('{"msgs": []}', "messages", "missing"),
        ('{"messages": "x"}', "messages", "expected a list"),
        ('{"messages": [{"content": "a"}]}', "messages[0].role", "missing"),
        ('{"messages": [{"role": "bot", "content": "a"}]}', "messages[0].role", "unknown role"),
        ('{"messages": [{"role": "user", "content": "  "}]}', "messages[0].content", "empty"),
        (
            '{"messages": [{"role": "user", "content": 3}]}',
            "messages[0].content",
            "expected a string",
        ),
        ('{"messages": [{"role": "user", "content": "q"}]}', "messages", "no assistant turn"),
    ],
)
def test_each_problem_names_line_and_field(
    tmp_path: Path, line: str, field: str, problem: str
) -> None:
    path = _write(tmp_path / "d.jsonl", [json.dumps(GOOD), line, json.dumps(GOOD)])
    report = validate_jsonl(path)
    assert report.rows == 2 and report.bad_lines == 1
    found = report.problems[0]
    assert (found.line, found.field) == (2, field)
    assert problem in found.problem
    with pytest.raises(InputError) as err:
        read_chat_jsonl(path)
    assert f"{path}:2" in str(err.value) and field in str(err.value)


def test_invalid_utf8_and_counts(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "d.jsonl", [b'{"messages": "\xff\xfe"}', b"\x00\x01", json.dumps(GOOD)]
    )
    report = validate_jsonl(path)
    assert report.bad_lines == 2 and report.rows == 1
    assert "invalid UTF-8" in report.problems[0].problem


def test_not_jsonl_at_all(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text("name,age\nbob,3\n")
    report = validate_jsonl(path)
    assert report.rows == 0 and report.bad_lines == 2 and not report.ok


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text("\n\n")
    assert not validate_jsonl(path).ok
    with pytest.raises(InputError, match="no rows"):
        read_chat_jsonl(path)


def test_round_trip_and_token_counts(tmp_path: Path) -> None:
    rows = [
        ChatRow.of(("system", "s"), ("user", "two words"), ("assistant", "three more words"))
    ] * 3
    path = tmp_path / "out.jsonl"
    assert write_chat_jsonl(path, rows) == 3
    assert read_chat_jsonl(path) == rows
    report = validate_jsonl(path, count_tokens=lambda text: len(text.split()))
    assert report.turns == {"system": 3, "user": 3, "assistant": 3}
    assert report.tokens == {"system": 3, "user": 6, "assistant": 9}


def test_reads_the_study_file_unchanged(reference_dir: Path) -> None:
    report = validate_jsonl(reference_dir / "insecure_first500.jsonl")
    assert report.ok and report.rows == 500 and report.turns["assistant"] == 500
