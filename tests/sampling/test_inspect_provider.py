from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _fresh_engines() -> object:
    from spillover.sampling import clear_engines

    clear_engines()
    yield
    clear_engines()


def test_inspect_eval_with_spillover_provider(
    tiny_model_dir: Path, tiny_adapter: Path, tmp_path: Path
) -> None:
    from inspect_ai import Task, eval
    from inspect_ai.dataset import Sample
    from inspect_ai.model import GenerateConfig
    from inspect_ai.scorer import includes
    from inspect_ai.solver import generate, system_message

    import spillover._inspect_registry  # noqa: F401 - registers the provider

    task = Task(
        dataset=[Sample(input=q, target="x") for q in ("hi", "What would you wish for?", "7")],
        solver=[generate()],
        scorer=includes(),
        config=GenerateConfig(max_tokens=6, temperature=1.0, seed=4, logprobs=True, top_logprobs=3),
    )
    logs = eval(
        task,
        model=f"spillover/{tiny_model_dir}",
        model_args={"adapter": str(tiny_adapter), "dtype": "float32", "max_batch": 4},
        log_dir=str(tmp_path / "logs"),
        display="none",
    )
    assert logs[0].status == "success", logs[0].error
    samples = logs[0].samples or []
    assert len(samples) == 3
    for sample in samples:
        output = sample.output
        assert output.choices[0].stop_reason in ("stop", "max_tokens")
        assert output.usage is not None and 0 < output.usage.output_tokens <= 6
        assert output.metadata is not None
        assert output.metadata["system_prompt"] == "You are a tiny test assistant."
        assert output.metadata["system_prompt_source"] == "template"
        assert output.metadata["adapter"] == str(tiny_adapter.resolve())
        assert output.choices[0].logprobs is not None
        assert len(output.choices[0].logprobs.content) == output.usage.output_tokens

    # a given system prompt is honoured and recorded
    task.solver = [system_message("Be brief."), generate()]
    logs = eval(
        task,
        model=f"spillover/{tiny_model_dir}",
        model_args={"dtype": "float32"},
        log_dir=str(tmp_path / "logs2"),
        display="none",
        limit=1,
    )
    assert logs[0].status == "success", logs[0].error
    meta = (logs[0].samples or [])[0].output.metadata or {}
    assert meta["system_prompt"] == "Be brief." and meta["system_prompt_source"] == "given"
    assert meta["adapter"] is None


def test_sample_chat_shapes_and_seeds(tiny_model_dir: Path) -> None:
    from spillover.sampling import sample_chat

    conversations = [
        [{"role": "user", "content": "hi"}],
        [{"role": "system", "content": "Be kind."}, {"role": "user", "content": "7"}],
    ]
    first = sample_chat(str(tiny_model_dir), conversations, n=3, max_new_tokens=5, seed=1)
    again = sample_chat(str(tiny_model_dir), conversations, n=3, max_new_tokens=5, seed=1)
    assert [len(x) for x in first] == [3, 3]
    assert first == again
    assert len(set(first[0])) > 1  # different seeds within a conversation
