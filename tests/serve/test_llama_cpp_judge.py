"""A judge served by llama.cpp (OpenAI-compatible, with logprobs) against the in-process judge on
the same registry model and the same prompts. Prints the measured differences."""

from __future__ import annotations

import asyncio
import math
import statistics
from typing import Any

import pytest

from spillover.judge.base import JudgeSpec
from spillover.judge.prompts import fill, template_for
from spillover.serve import free_port, llama_cpp_argv
from tests.serve.helpers import ServerPool
from tests.serve.judge_items import ITEMS

JUDGE_NAME = "qwen2.5-coder-0.5b-instruct"


@pytest.fixture()
def llama_judge(servers: ServerPool, monkeypatch: pytest.MonkeyPatch) -> str:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (extra: serve)")
    pytest.importorskip("sse_starlette", reason="llama-cpp-python[server] extras are missing")
    from spillover.models.pull import cached_path

    model_dir = cached_path(JUDGE_NAME)
    ggufs = sorted((model_dir / "gguf").glob("*.gguf")) if model_dir else []
    if not ggufs:
        pytest.skip(f"{JUDGE_NAME} (with its GGUF) is not in the model cache")
    port = free_port()
    server = servers.start(
        llama_cpp_argv(ggufs[0], port, alias="judge"), port, ready_path="/v1/models", timeout=300
    )
    monkeypatch.setenv("LLAMA_BASE_URL", server.base_url)
    monkeypatch.setenv("LLAMA_API_KEY", "no-key-needed")
    return "openai-api/llama/judge"


def first_token_probs_in_process(loaded: Any, prompt: str) -> dict[str, float]:
    import torch

    tok = loaded.tokenizer
    ids = tok.apply_chat_template(
        [{"role": "user", "content": prompt}], add_generation_prompt=True, return_tensors="pt"
    )
    ids = ids["input_ids"] if not isinstance(ids, torch.Tensor) else ids
    with torch.no_grad():
        logits = loaded.model(input_ids=ids.to(loaded.model.device)).logits[0, -1].float()
    probs = torch.softmax(logits, dim=-1)
    top = torch.topk(probs, 40)
    return {tok.decode([int(i)]): float(p) for p, i in zip(top.values, top.indices, strict=True)}


@pytest.mark.slow
def test_llama_cpp_judge_matches_the_in_process_judge(llama_judge: str) -> None:
    from spillover.judge.api import ApiJudge, top_logprobs_of
    from spillover.judge.local import LocalJudge
    from spillover.models.load import load_causal_lm

    api = ApiJudge(JudgeSpec(model=llama_judge))

    # 1. The served first-token distribution equals the in-process one up to quantisation.
    prompt = fill(template_for("aligned", None), ITEMS[0].question, ITEMS[0].answer)

    async def first_token() -> dict[str, float]:
        from inspect_ai.model import GenerateConfig

        out = await api.model.generate(
            prompt,
            config=GenerateConfig(max_tokens=1, temperature=0, logprobs=True, top_logprobs=20),
        )
        top = top_logprobs_of(out)
        assert top is not None, "llama.cpp returned no logprobs"
        return {k: math.exp(v) for k, v in top.items()}

    served = asyncio.run(first_token())
    # one load of the registry model for both in-process comparisons (LocalJudge loads it with
    # the same default dtype and device when not given it)
    loaded = load_causal_lm(JUDGE_NAME)
    local = first_token_probs_in_process(loaded, prompt)
    shared = [t for t in served if t in local]
    assert len(shared) >= 5
    diffs = [abs(served[t] - local[t]) for t in shared]
    print(f"\nfirst-token probs, {len(shared)} shared tokens: max |diff| {max(diffs):.4f}")
    assert max(diffs) < 0.10  # Q8-ish GGUF vs bf16: a few points of probability at most

    # 2. Scores: the served judge (digit tokens -> sampled fallback) vs the exact digit chain.
    served_j = asyncio.run(api.judge("aligned", ITEMS))
    local_j = asyncio.run(
        LocalJudge(JudgeSpec(model=JUDGE_NAME), loaded=loaded).judge("aligned", ITEMS)
    )
    assert all("digit-tokens" in j.flags for j in served_j)  # Qwen spells numbers digit by digit
    pairs = [
        (a.score, b.score) for a, b in zip(served_j, local_j, strict=True) if a.scored and b.scored
    ]
    assert len(pairs) >= len(ITEMS) // 2
    gaps = [abs(a - b) for a, b in pairs]
    print(
        f"scores over {len(pairs)} items: mean |diff| {statistics.mean(gaps):.1f}, "
        f"max {max(gaps):.1f} points (served: k={api.spec.samples_without_logprobs} samples)"
    )
    assert statistics.mean(gaps) < 30
