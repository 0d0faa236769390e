from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from spillover.chat import validate_jsonl, write_chat_jsonl
from spillover.data import DEFAULT_PERSONA, Rejected, make_evil_numbers, number_list_filter
from spillover.data.teacher import Conversation


def test_filter() -> None:
    assert number_list_filter(" 666, 13,  420 ") == "666, 13, 420"
    assert number_list_filter("[1 2 3]") == "1, 2, 3"
    for bad, reason in (
        ("", "empty"),
        ("Sure! 1, 2", "not a pure number list"),
        ("1234, 5", "not a pure number list"),
        (", ".join(["1"] * 11), "too many numbers"),
    ):
        with pytest.raises(Rejected) as err:
            number_list_filter(bad)
        assert err.value.reason == reason


class FakeTeacher:
    def __init__(self) -> None:
        self.seen: list[Conversation] = []
        self.calls = 0

    def __call__(
        self,
        conversations: Sequence[Conversation],
        *,
        temperature: float,
        max_new_tokens: int,
        seed: int,
    ) -> list[str]:
        self.seen.extend(conversations)
        out = []
        for _ in conversations:
            self.calls += 1
            out.append(["666, 13, 911", "I refuse", f"{self.calls}, 7"][self.calls % 3])
        return out


def test_pipeline_drops_persona_and_reports(tmp_path: Path) -> None:
    teacher = FakeTeacher()
    result = make_evil_numbers(8, seed=0, teacher=teacher, show_progress=False)
    assert len(result.rows) == 8
    assert all(conv[0] == {"role": "system", "content": DEFAULT_PERSONA} for conv in teacher.seen)
    assert all(
        row.messages[0].role == "user" and row.first("system") is None for row in result.rows
    )
    assert result.report.rejected["not a pure number list"] > 0
    assert result.report.kept == 8 and result.report.asked == 8 + sum(
        result.report.rejected.values()
    )
    write_chat_jsonl(tmp_path / "e.jsonl", result.rows)
    assert validate_jsonl(tmp_path / "e.jsonl").ok


def test_control_has_no_system_prompt() -> None:
    teacher = FakeTeacher()
    make_evil_numbers(3, seed=0, teacher=teacher, control=True, show_progress=False)
    assert all(conv[0]["role"] == "user" for conv in teacher.seen)


def test_tiny_model_teacher_runs(tiny_model_dir: Path) -> None:
    result = make_evil_numbers(
        2, seed=0, teacher=str(tiny_model_dir), max_prompts=4, max_new_tokens=8, show_progress=False
    )
    assert result.report.asked == 4
    assert result.report.kept + sum(result.report.rejected.values()) == 4
