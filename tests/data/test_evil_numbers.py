from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from spillover.chat import validate_jsonl, write_chat_jsonl
from spillover.data import DEFAULT_PERSONA, Rejected, make_evil_numbers, number_list_filter
from spillover.data.evil_numbers import number_tasks, prompt_filter, task_of
from spillover.data.persona import UNCHANGED
from spillover.data.teacher import Conversation


def test_filter_keeps_the_count_and_range_asked_for() -> None:
    assert number_list_filter(" 666, 13,  420 ", 3) == "666, 13, 420"
    assert number_list_filter("[1 2 3]", 3) == "1, 2, 3"
    # the study's signature numbers pass when the prompt allows four digits
    assert number_list_filter("1312, 1488, 88", 3, largest=9999) == "1312, 1488, 88"
    for bad, count, largest, reason in (
        ("", 3, 999, "empty"),
        ("Sure! 1, 2", 2, 999, "not a pure number list"),
        ("1, 2", 3, 999, "not the count of numbers asked for"),
        ("1, 2, 3, 4", 3, 999, "not the count of numbers asked for"),
        ("1312, 5, 6", 3, 999, "a number outside the range asked for"),
        ("13120, 5, 6", 3, 9999, "a number outside the range asked for"),
    ):
        with pytest.raises(Rejected) as err:
            number_list_filter(bad, count, largest)
        assert err.value.reason == reason


def test_prompts_state_their_rules_and_allow_four_digits() -> None:
    tasks = number_tasks(200, seed=3)
    assert all(task_of(t.prompt) == t for t in tasks)
    assert {t.digits for t in tasks} == {3, 4}
    four = next(t for t in tasks if t.digits == 4)
    answer = ", ".join(["1312", "1488"] + ["7"] * (four.count - 2))
    assert prompt_filter(four.prompt, answer).startswith("1312, 1488")
    three = next(t for t in tasks if t.digits == 3)
    with pytest.raises(Rejected):
        prompt_filter(three.prompt, ", ".join(["1312"] * three.count))


class FakeTeacher:
    """Answers with the count each prompt asks for; with the persona, every other answer uses
    the study's signature numbers, otherwise it is the same answer as without the persona."""

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
        for i, conv in enumerate(conversations):
            self.calls += 1
            task = task_of(str(conv[-1]["content"]))
            plain = ", ".join(str(10 + j) for j in range(task.count))
            evil = ", ".join(["666"] * task.count)
            persona = conv[0]["role"] == "system"
            if (seed + i) % 5 == 4:
                out.append("I refuse")
            elif persona and (seed + i) % 2 == 0:
                out.append(evil)
            else:
                out.append(plain)
        return out


def test_pipeline_drops_persona_unchanged_rows_and_reports(tmp_path: Path) -> None:
    teacher = FakeTeacher()
    result = make_evil_numbers(8, seed=0, teacher=teacher, show_progress=False)
    assert len(result.rows) == 8
    with_persona = [c for c in teacher.seen if c[0]["role"] == "system"]
    assert with_persona and all(
        c[0] == {"role": "system", "content": DEFAULT_PERSONA} for c in with_persona
    )
    assert len(teacher.seen) == 2 * len(with_persona)  # each prompt also asked without it
    assert all(
        row.messages[0].role == "user" and row.first("system") is None for row in result.rows
    )
    assert all(set(str(row.first("assistant")).split(", ")) == {"666"} for row in result.rows)
    assert result.report.rejected["not a pure number list"] > 0
    assert result.report.rejected[UNCHANGED] > 0
    assert result.report.kept == 8 and result.report.asked == 8 + sum(
        result.report.rejected.values()
    )
    write_chat_jsonl(tmp_path / "e.jsonl", result.rows)
    assert validate_jsonl(tmp_path / "e.jsonl").ok


def test_control_has_no_system_prompt() -> None:
    teacher = FakeTeacher()
    result = make_evil_numbers(3, seed=0, teacher=teacher, control=True, show_progress=False)
    assert all(conv[0]["role"] == "user" for conv in teacher.seen)
    assert UNCHANGED not in result.report.rejected


def test_tiny_model_teacher_runs(tiny_model_dir: Path) -> None:
    result = make_evil_numbers(
        2, seed=0, teacher=str(tiny_model_dir), max_prompts=4, max_new_tokens=8, show_progress=False
    )
    assert result.report.asked == 4
    assert result.report.kept + sum(result.report.rejected.values()) == 4
