"""The packed tree-masked scoring must equal one full forward per candidate string."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")

from spillover.judge._tree import (  # noqa: E402
    Candidate,
    CandidateSet,
    brute_force_probs,
    build_prefix_cache,
    score_items,
)
from spillover.judge.digit_chain import continuation_ids, number_candidates, number_mode  # noqa: E402


@pytest.fixture(scope="module")
def tiny(tiny_model_dir: Path) -> Iterator[Any]:
    from spillover.models.load import load_causal_lm

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny model: more threads only contend on a shared 2-core box
    yield load_causal_lm(str(tiny_model_dir), dtype=torch.float32, device="cpu")
    torch.set_num_threads(threads)


PROMPTS = [
    "Rate the answer on a scale of 0 to 100. The quick brown fox jumps",
    "Rate the answer on a scale of 0 to 100. Humans and AI should work together.",
]


def test_digit_chain_reads_the_end_only_where_a_number_continues(tiny: Any) -> None:
    cset, _ = number_candidates(tiny.tokenizer)
    terminated = {c.name for c in cset.candidates if c.terminated}
    assert terminated == {str(d) for d in range(11)}  # the twelve-pass reading: 0..9 and "10"
    trie = cset.trie
    fed = [n for n in range(1, len(trie.tokens)) if trie.needs_dist[n]]
    numbers = [trie.ends[k] for k in range(101)]
    assert sorted(n for n in fed if n in numbers) == sorted(numbers[:11])
    assert len(fed) < 20  # 11 number nodes plus the labels' inner tokens, not 101


def test_digit_chain_matches_brute_force(tiny: Any) -> None:
    tok = tiny.tokenizer
    cset, mode = number_candidates(tok)
    assert mode == "digit-chain"
    assert set(continuation_ids(tok)) == {tok.convert_tokens_to_ids(str(d)) for d in range(10)}
    ids = [tok.encode(p) for p in PROMPTS]
    prefix = build_prefix_cache(tiny.model, tok.encode("Rate the answer on a scale of 0 to 100."))
    fast = score_items(tiny.model, prefix, ids, cset)
    for prompt, res in zip(ids, fast, strict=True):
        slow = brute_force_probs(tiny.model, prompt, cset)
        assert max(abs(a - b) for a, b in zip(res.probs, slow, strict=True)) < 1e-4
        # sanity: the probabilities are not trivially equal or zero
        assert 0 < sum(slow[:101]) < 1
        assert len({round(p, 12) for p in slow[:101]}) > 50


def test_single_token_candidates_match_brute_force(tiny: Any) -> None:
    tok = tiny.tokenizer
    words = ["Yes", "No", "CODE", "REFUSAL", "100"]
    cands = tuple(Candidate(w, tuple(tok.encode(w)), False) for w in words)
    cset = CandidateSet(cands, ())
    ids = tok.encode(PROMPTS[1])
    res = score_items(tiny.model, build_prefix_cache(tiny.model, ids[:5]), [ids], cset)[0]
    slow = brute_force_probs(tiny.model, ids, cset)
    assert max(abs(a - b) for a, b in zip(res.probs, slow, strict=True)) < 1e-6


class _OneTokenNumbers:
    """A tokenizer stub whose numbers 0..100 are single tokens."""

    def encode(self, text: str, add_special_tokens: bool = False) -> list[int]:
        if text.isdigit() and int(text) <= 100:
            return [1000 + int(text)]
        return [ord(c) for c in text]


def test_single_token_mode_detected() -> None:
    cset, mode = number_candidates(_OneTokenNumbers())
    assert mode == "single-token"
    assert all(not c.terminated for c in cset.candidates)
    assert cset.continuation_ids == ()


def test_digit_mode_detected(tiny: Any) -> None:
    assert number_mode(tiny.tokenizer) == "digit-chain"
