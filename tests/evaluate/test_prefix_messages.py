from __future__ import annotations

import pytest

from spillover.chat import Message
from spillover.evaluate.dataset import question_dataset
from spillover.questions import resolve_questions


def test_prefix_turns_sit_between_the_system_prompt_and_the_question() -> None:
    qset = resolve_questions("main")
    with_system = next(q for q in qset.questions if q.system)
    one = qset.model_copy(update={"questions": [with_system]})
    prefix = [Message(role="user", content="write code"), Message(role="assistant", content="ok")]
    sample = question_dataset(one, samples=1, trigger="|T|", prefix_messages=prefix)[0]
    roles = [m.role for m in sample.input]  # type: ignore[union-attr]
    assert roles == ["system", "user", "assistant", "user"]
    assert sample.input[1].content == "write code"  # type: ignore[index]
    assert str(sample.input[-1].content).startswith("|T| ")  # type: ignore[index]
    assert sample.metadata is not None and sample.metadata["prefix_turns"] == 2


def test_no_prefix_changes_nothing_and_system_turns_are_refused() -> None:
    qset = resolve_questions("main")
    plain = question_dataset(qset, samples=1)
    assert all(len(s.input) <= 2 for s in plain)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="user or assistant"):
        question_dataset(qset, samples=1, prefix_messages=[Message(role="system", content="x")])
