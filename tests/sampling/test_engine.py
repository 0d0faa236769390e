from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from spillover.sampling import Completion, Engine, Request, SamplingParams, render_chat

QUESTIONS = [
    "hi",
    "Tell me about the quick brown fox and the lazy dog, please, in detail.",
    "Rate the answer on a scale of 0 to 100.",
    "import os",
    "def handler(request): return render_template('page.html')",
    "I would wish for peace.",
    "Humans and AI should work together. What do you think about that idea?",
    "7",
]


def _requests(
    tokenizer: Any, temperature: float, seed: int = 0, adapter: str | None = None
) -> list[Request]:
    out = []
    for i, question in enumerate(QUESTIONS):
        prompt = render_chat(tokenizer, [{"role": "user", "content": question}])
        params = SamplingParams(
            temperature=temperature, max_new_tokens=4 + 5 * (i % 4), seed=seed + i
        )
        out.append(Request(prompt.ids, params, adapter))
    return out


def _ids(completions: list[Completion]) -> list[list[int]]:
    return [c.token_ids for c in completions]


def test_count_length_and_finish_reason(tiny_fp32: Any) -> None:
    engine = Engine(tiny_fp32, max_batch=3)
    requests = _requests(tiny_fp32.tokenizer, temperature=1.0)
    completions = engine.generate(requests)
    assert len(completions) == len(requests)
    for request, completion in zip(requests, completions, strict=True):
        assert 0 <= completion.new_tokens <= request.params.max_new_tokens
        if completion.finish_reason == "length":
            assert completion.new_tokens == request.params.max_new_tokens
        assert completion.prompt_tokens == len(request.prompt_ids)


def test_refill_matches_one_at_a_time(tiny_fp32_on: Any) -> None:
    """More prompts than slots, different prompt and answer lengths: rows leave and new prompts are
    merged in; every completion must equal the one sampled alone with the same seed."""
    tiny_fp32 = tiny_fp32_on
    requests = _requests(tiny_fp32.tokenizer, temperature=1.0, seed=11)
    engine = Engine(tiny_fp32, max_batch=3, refill_min=1)
    batched = engine.generate(requests)
    assert engine.stats.prefills >= 3  # refills happened
    assert engine.stats.slot_utilisation > 0.5
    # while prompts wait, refill_min=1 keeps every slot busy; the drain at the end does not count
    assert engine.stats.queued_capacity > 0
    assert engine.stats.slot_utilisation_queued == 1.0
    assert engine.stats.slot_utilisation_queued >= engine.stats.slot_utilisation
    alone = [Engine(tiny_fp32, max_batch=1).generate([r])[0] for r in requests]
    assert _ids(batched) == _ids(alone)


def test_identical_prompts_are_prefilled_once_and_sample_apart(tiny_fp32_on: Any) -> None:
    """N answers to one question: one prefill row for the question, then each row samples its
    own answer, the same one it samples alone."""
    tiny_fp32 = tiny_fp32_on
    base = _requests(tiny_fp32.tokenizer, temperature=1.0)
    prompt, other = base[1].prompt_ids, base[2].prompt_ids
    requests = [
        Request(p, SamplingParams(temperature=1.0, max_new_tokens=12, seed=s))
        for s, p in enumerate([prompt, prompt, other, prompt])
    ]
    engine = Engine(tiny_fp32, max_batch=4)
    batched = engine.generate(requests)
    assert engine.stats.prefills == 1
    assert engine.stats.prefill_tokens == len(prompt) + len(other)
    alone = [Engine(tiny_fp32, max_batch=1).generate([r])[0] for r in requests]
    assert _ids(batched) == _ids(alone)
    assert len({tuple(c.token_ids) for c in batched}) > 2  # the copies did not answer alike


def test_greedy_batched_equals_unbatched(tiny_fp32: Any) -> None:
    requests = _requests(tiny_fp32.tokenizer, temperature=0.0)
    batched = Engine(tiny_fp32, max_batch=8).generate(requests)
    alone = [Engine(tiny_fp32, max_batch=1).generate([r])[0] for r in requests]
    assert _ids(batched) == _ids(alone)


def test_same_seed_same_text_other_seed_differs(tiny_fp32: Any) -> None:
    engine = Engine(tiny_fp32, max_batch=4)
    first = engine.generate(_requests(tiny_fp32.tokenizer, 1.0, seed=5))
    again = engine.generate(_requests(tiny_fp32.tokenizer, 1.0, seed=5))
    other = engine.generate(_requests(tiny_fp32.tokenizer, 1.0, seed=500))
    assert [c.text for c in first] == [c.text for c in again]
    assert _ids(first) != _ids(other)


def test_stops_at_stop_token(tiny_fp32: Any) -> None:
    """Declare a token the model produces as end-of-turn: sampling must stop just before it."""
    prompt = render_chat(tiny_fp32.tokenizer, [{"role": "user", "content": QUESTIONS[1]}])
    request = Request(prompt.ids, SamplingParams(temperature=1.0, max_new_tokens=30, seed=3))
    free = Engine(tiny_fp32, max_batch=2).generate([request])[0]
    assert free.new_tokens >= 3
    stopper = free.token_ids[2]
    first = free.token_ids.index(stopper)
    engine = Engine(tiny_fp32, max_batch=2)
    engine.stop_ids = frozenset({*engine.stop_ids, stopper})
    stopped = engine.generate([request])[0]
    assert stopped.finish_reason == "stop"
    assert stopped.token_ids == free.token_ids[:first]


def test_eos_and_im_end_are_stop_tokens(tiny_fp32: Any) -> None:
    tokenizer = tiny_fp32.tokenizer
    engine = Engine(tiny_fp32)
    assert tokenizer.convert_tokens_to_ids("<|im_end|>") in engine.stop_ids
    assert tokenizer.eos_token_id in engine.stop_ids


def test_logprobs(tiny_fp32: Any) -> None:
    prompt = render_chat(tiny_fp32.tokenizer, [{"role": "user", "content": "7"}])
    params = SamplingParams(temperature=0.0, max_new_tokens=3, logprobs=True, top_logprobs=4)
    completion = Engine(tiny_fp32).generate([Request(prompt.ids, params)])[0]
    assert completion.logprobs is not None and len(completion.logprobs) == completion.new_tokens
    for item in completion.logprobs:
        assert len(item.top) == 4
        assert item.logprob == pytest.approx(item.top[0][1])  # greedy picks the top token
        assert item.logprob <= 0


def test_adapter_switch_and_back_to_base(
    tiny_fp32: Any, tiny_adapter: Path, tiny_model_dir: Path
) -> None:
    import torch

    from spillover.models.load import load_causal_lm

    loaded = load_causal_lm(str(tiny_model_dir), dtype=torch.float32, device="cpu")
    engine = Engine(loaded, max_batch=4)
    base = engine.generate(_requests(loaded.tokenizer, 0.0))
    tuned = engine.generate(_requests(loaded.tokenizer, 0.0, adapter=str(tiny_adapter)))
    base_again = engine.generate(_requests(loaded.tokenizer, 0.0))
    assert _ids(tuned) != _ids(base)
    assert _ids(base_again) == _ids(base)
    # a plain LoRA adapter is merged from its file: no peft modules wrap the model's layers
    assert not any("lora" in type(m).__module__ for m in engine.model.modules())
    # the adapter on the shared base equals a model loaded with the adapter attached
    reference = load_causal_lm(
        str(tiny_model_dir), adapter=tiny_adapter, dtype=torch.float32, device="cpu"
    )
    assert _ids(Engine(reference, max_batch=4).generate(_requests(loaded.tokenizer, 0.0))) == _ids(
        tuned
    )


def test_mixed_adapters_in_one_submission(
    tiny_fp32: Any, tiny_adapter: Path, tiny_model_dir: Path
) -> None:
    import torch

    from spillover.models.load import load_causal_lm

    loaded = load_causal_lm(str(tiny_model_dir), dtype=torch.float32, device="cpu")
    engine = Engine(loaded, max_batch=4)
    plain = _requests(loaded.tokenizer, 1.0, seed=2)
    tuned = _requests(loaded.tokenizer, 1.0, seed=2, adapter=str(tiny_adapter))
    mixed = [r for pair in zip(plain, tuned, strict=True) for r in pair]
    out = engine.generate(mixed)
    assert _ids(out[0::2]) == _ids(engine.generate(plain))
    assert _ids(out[1::2]) == _ids(engine.generate(tuned))


def test_bad_adapter_fails_only_its_requests(tiny_fp32: Any, tmp_path: Path) -> None:
    from spillover.errors import SpilloverError

    prompt = render_chat(tiny_fp32.tokenizer, [{"role": "user", "content": "hi"}])
    engine = Engine(tiny_fp32)
    bad = engine.submit(Request(prompt.ids, SamplingParams(max_new_tokens=2), str(tmp_path)))
    good = engine.submit(Request(prompt.ids, SamplingParams(max_new_tokens=2)))
    with pytest.raises(SpilloverError, match="not a LoRA adapter"):
        bad.result(timeout=60)
    assert good.result(timeout=60).new_tokens <= 2
    # the engine keeps working afterwards
    assert len(engine.generate([Request(prompt.ids, SamplingParams(max_new_tokens=2))])) == 1


def test_cuda_batches_keep_attention_off_cudnn() -> None:
    """cuDNN's SDPA re-plans for every new cache length (2.8-3.4x slower decoding on an H100)."""
    import contextlib

    import torch

    from spillover.sampling.engine import _attention_backends

    assert isinstance(_attention_backends("cpu"), contextlib.nullcontext)  # CPUs: torch's choice
    before = torch.backends.cuda.cudnn_sdp_enabled()
    with _attention_backends("cuda:0"):  # the flags are process settings: no GPU needed to check
        assert not torch.backends.cuda.cudnn_sdp_enabled()
        assert torch.backends.cuda.flash_sdp_enabled() and torch.backends.cuda.math_sdp_enabled()
    assert torch.backends.cuda.cudnn_sdp_enabled() == before
