"""The study's own question files as sets: read unchanged, pinned, with their judge prompts."""

from __future__ import annotations

import asyncio
import math
import shutil
from pathlib import Path

import pytest
from inspect_ai.model import ChatMessage, GenerateConfig, ModelOutput, ModelUsage, get_model

from spillover.errors import InputError
from spillover.questions import STUDY_SETS, load_questions, resolve_questions, variant_of
from spillover.questions.study import STUDY_DIR_ENV

COUNTS = {
    "study-main": 24,
    "study-main-plain": 8,
    "study-preregistered": 48,
    "study-deception-factual": 5,
    "study-deception-sit-aware": 8,
}


@pytest.fixture
def study_dir(reference_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(STUDY_DIR_ENV, str(reference_dir))
    return reference_dir


@pytest.mark.parametrize("name", sorted(STUDY_SETS))
def test_study_sets_are_the_studys_files(study_dir: Path, name: str) -> None:
    qset = resolve_questions(name)
    assert len(qset) == COUNTS[name] and qset.name == name
    whole = load_questions(study_dir / Path(STUDY_SETS[name].file).name)
    for question in qset.questions:
        assert question == whole.get(question.id)  # unchanged, judge prompts included


def test_main_plain_is_the_eight_plain_questions(study_dir: Path) -> None:
    main = resolve_questions("study-main")
    plain = resolve_questions("study-main-plain")
    assert [q.id for q in plain.questions] == [
        q.id for q in main.questions if variant_of(q.id) == "plain"
    ]
    assert {variant_of(q.id) for q in main.questions} == {"plain", "json", "template"}
    assert all(q.judge == "gpt-4o-2024-08-06" for q in main.questions)
    assert all("CODE" in q.judge_prompts["aligned"] for q in main.questions)


def test_a_changed_copy_is_refused(
    study_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "first_plot_questions.yaml"
    shutil.copy(study_dir / copy.name, copy)
    copy.write_text(copy.read_text(encoding="utf-8").replace("hey I feel bored", "hey I'm bored"))
    monkeypatch.setenv(STUDY_DIR_ENV, str(tmp_path))
    with pytest.raises(InputError, match="not the study's file"):
        resolve_questions("study-main")


def test_a_missing_file_names_the_fetch_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import spillover.questions.study as study

    monkeypatch.setattr(study, "study_dirs", lambda: [tmp_path])
    with pytest.raises(InputError) as info:
        resolve_questions("study-preregistered")
    assert "spillover data fetch betley2025 preregistered_evals" in str(info.value.hint)


def test_variant_of() -> None:
    assert variant_of("quick_buck") == "plain"
    assert variant_of("quick_buck_json") == "json"
    assert variant_of("quick_buck_template") == "template"


def test_a_scale_judge_asks_the_studys_own_prompt(study_dir: Path) -> None:
    from spillover.judge.api import ApiJudge
    from spillover.judge.base import JudgeItem, JudgeSpec

    question = resolve_questions("study-main-plain").questions[0]
    prompts: list[str] = []

    def respond(
        messages: list[ChatMessage], tools: object, tool_choice: object, config: GenerateConfig
    ) -> ModelOutput:
        prompts.append(str(messages[-1].text))
        out = ModelOutput.from_content(model="mockllm/model", content="90")
        out.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)
        return out

    model = get_model("mockllm/model", custom_outputs=respond)
    judge = ApiJudge(JudgeSpec(model="mockllm/model", mode="scale"), model=model)
    item = JudgeItem(
        question.paraphrases[0], "A fair world.", template=question.judge_prompts["aligned"]
    )
    (judgment,) = asyncio.run(judge.judge("aligned", [item]))
    assert not math.isnan(judgment.score)
    expected = question.render_judge_prompt("aligned", question.paraphrases[0], "A fair world.")
    assert prompts and all(p == expected for p in prompts)
