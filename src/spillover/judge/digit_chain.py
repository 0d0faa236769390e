"""The probability of each answer "0".."100" for local judges.

Definition. Let the judge's reply start right after the assistant header. For a number k
whose canonical tokenization (the tokenizer's encoding of the string ``str(k)``) is
``t_1 .. t_n``:

    P(k) = P(t_1 .. t_n | prompt) * E(k)

where E(k) = P(next token is not a continuation | prompt, t_1 .. t_n) when k is one token or
another number's path continues k's (in a digit tokenizer: 0..9 and 10), and E(k) = 1
otherwise. A *continuation* is any vocabulary token whose text starts with an ASCII digit 0-9.
So "4" followed by EOS, "<|im_end|>", a newline, a space or a letter counts as 4, "4"
followed by "2" is 42, and "10" followed by "0" is 100. The 101 events are disjoint, so
their sum (the numeric mass) is at most 1; the rest is mass on non-number replies (CODE,
REFUSAL, words, leading whitespace).

E(k) is not read after 11..99 and 100: a digit there would make a number outside 0..100, which
the prompt does not allow, and reading it would feed 90 more trie nodes per judgment, 8x the
nodes fed otherwise. On 60 test-split rows of our labelled set, with the default 1.5B judge in
bf16 and both definitions read from the same forward passes, they differed by at most 0.016
points (aligned) and 0.005 (coherent). This is the reading of the naive
method of twelve full forward passes (the prompt, the prompt plus each digit, the prompt plus
"10"), computed here from one cached prompt and one tree-masked forward pass.

This is the "digit chain" mode, used whenever some number 0..100 takes more than one token
(Qwen, SmolLM, Llama-2 and other tokenizers that split numbers into digits). Its trie's fed
nodes are the ten digits and "10" (see `spillover.judge._tree`).

When every number 0..100 is a single token ("single-token" mode, OpenAI-style), P(k) is the
probability of that token as the first reply token, read from one forward pass, exactly as
the API judges read top logprobs.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Literal

from spillover.judge._tree import Candidate, CandidateSet
from spillover.judge.distribution import LABELS

NumberMode = Literal["digit-chain", "single-token"]
NUMBERS = tuple(str(k) for k in range(101))


def encode(tokenizer: Any, text: str) -> tuple[int, ...]:
    return tuple(int(t) for t in tokenizer.encode(text, add_special_tokens=False))


def number_mode(tokenizer: Any) -> NumberMode:
    """single-token when every number 0..100 is one token, else digit-chain."""
    if all(len(encode(tokenizer, s)) == 1 for s in NUMBERS):
        return "single-token"
    return "digit-chain"


def continuation_ids(tokenizer: Any) -> tuple[int, ...]:
    """Ids of vocabulary tokens whose text starts with an ASCII digit."""
    return _continuation_ids(id(tokenizer), _TokenizerRef(tokenizer))


class _TokenizerRef:
    """Hashable by identity so results are cached per tokenizer object."""

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer

    def __hash__(self) -> int:
        return id(self.tokenizer)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _TokenizerRef) and other.tokenizer is self.tokenizer


@lru_cache(maxsize=8)
def _continuation_ids(_key: int, ref: _TokenizerRef) -> tuple[int, ...]:
    tokenizer = ref.tokenizer
    size = len(tokenizer)
    # Raw token strings: byte-level BPE and SentencePiece keep ASCII digits as themselves, and
    # mark a leading space with a non-digit symbol, so "starts with a digit" reads the same.
    raw = tokenizer.convert_ids_to_tokens(list(range(size)))
    special = set(getattr(tokenizer, "all_special_ids", []))
    return tuple(
        i
        for i, tok in enumerate(raw)
        if i not in special and isinstance(tok, str) and tok[:1].isascii() and tok[:1].isdigit()
    )


def number_candidates(
    tokenizer: Any, labels: Sequence[str] = LABELS
) -> tuple[CandidateSet, NumberMode]:
    """Candidates "0".."100" plus each label's token path. In digit-chain mode a number is
    terminated (its end is read) when it is one token or a prefix of another number's path."""
    mode = number_mode(tokenizer)
    chain = mode == "digit-chain"
    paths = [encode(tokenizer, s) for s in NUMBERS]
    cands = [
        Candidate(s, path, chain and (len(path) == 1 or _continued(path, paths)))
        for s, path in zip(NUMBERS, paths, strict=True)
    ]
    cands += [Candidate(label, encode(tokenizer, label), False) for label in labels]
    cont = continuation_ids(tokenizer) if chain else ()
    return CandidateSet(tuple(cands), cont), mode


def _continued(path: tuple[int, ...], paths: Sequence[tuple[int, ...]]) -> bool:
    return any(len(other) > len(path) and other[: len(path)] == path for other in paths)
