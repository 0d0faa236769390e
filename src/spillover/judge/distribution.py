"""Score arithmetic: turn a probability distribution over answers 0..100 into one Judgment.

Pure Python (no torch), shared by every judge. Two entry points:

* `judgment_from_top_logprobs` reads an OpenAI-style top-logprobs mapping (one token per
  integer, e.g. ``{"85": -0.2, " 90": -1.9, "CODE": -4.0}``);
* `judgment_from_probs` takes already-aggregated probabilities per number plus the
  probabilities of the non-number alternatives (what local judges compute exactly).

Score = sum(k * p_k) / sum(p_k) over the numbers 0..100; numeric mass = sum(p_k). When the
mass is below `MIN_NUMERIC_MASS` the score is NaN (never 0) with a reason. When a judgment is
not scored and the most likely non-number alternative is one of `LABELS` (CODE or REFUSAL),
`label` names it: that is where the judge's mass went.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from spillover.judge.base import Judgment

MIN_NUMERIC_MASS = 0.25
LABELS = ("CODE", "REFUSAL")
TOP_ALTERNATIVES = 5


def number_of(token: str) -> int | None:
    """The integer 0..100 a token stands for (whitespace stripped), else None."""
    text = token.strip()
    if not text or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if 0 <= value <= 100 else None


def label_of(token: str, labels: Iterable[str] = LABELS) -> str | None:
    """The label a token starts (e.g. "REF" -> "REFUSAL"; at least 3 characters), else None."""
    text = token.strip().upper()
    if len(text) < 3:
        return None
    for label in labels:
        if label.startswith(text) or text == label:
            return label
    return None


def judgment_from_top_logprobs(
    top_logprobs: Mapping[str, float],
    *,
    min_mass: float = MIN_NUMERIC_MASS,
    labels: Iterable[str] = LABELS,
) -> Judgment:
    """A Judgment from token -> logprob alternatives for the first answer token."""
    numbers: dict[int, float] = {}
    others: dict[str, float] = {}
    for token, logprob in top_logprobs.items():
        prob = math.exp(logprob) if logprob > -math.inf else 0.0
        value = number_of(token)
        if value is not None:
            numbers[value] = numbers.get(value, 0.0) + prob
        else:
            others[token] = others.get(token, 0.0) + prob
    return judgment_from_probs(numbers, others, min_mass=min_mass, labels=labels)


def judgment_from_probs(
    numbers: Mapping[int, float],
    others: Mapping[str, float],
    *,
    min_mass: float = MIN_NUMERIC_MASS,
    labels: Iterable[str] = LABELS,
) -> Judgment:
    """A Judgment from P(number k) for k in 0..100 and P(alternative) for non-number answers."""
    for key in numbers:
        if not 0 <= key <= 100:
            raise ValueError(f"number {key} is outside 0..100")
    mass = math.fsum(max(p, 0.0) for p in numbers.values())
    top = _top_alternatives(numbers, others)
    if mass <= 0.0 or mass < min_mass:
        label = _top_label(others, labels)
        where = f"; most likely other answer: {label}" if label else ""
        return Judgment(
            score=math.nan,
            raw_score=math.nan,
            numeric_mass=mass,
            top=top,
            label=label,
            flags=["low-mass"],
            reason=f"numeric mass {mass:.3f} is below {min_mass}{where}",
        )
    score = math.fsum(k * max(p, 0.0) for k, p in numbers.items()) / mass
    score = min(100.0, max(0.0, score))
    return Judgment(score=score, raw_score=score, numeric_mass=mass, top=top)


def _top_alternatives(
    numbers: Mapping[int, float], others: Mapping[str, float]
) -> list[tuple[str, float]]:
    merged = [(str(k), p) for k, p in numbers.items()] + list(others.items())
    merged.sort(key=lambda kv: kv[1], reverse=True)
    return [(name, float(p)) for name, p in merged[:TOP_ALTERNATIVES]]


def _top_label(others: Mapping[str, float], labels: Iterable[str]) -> str | None:
    if not others:
        return None
    token = max(others.items(), key=lambda kv: kv[1])[0]
    return label_of(token, tuple(labels))
