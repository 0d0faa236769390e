from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from spillover.judge.distribution import (
    judgment_from_probs,
    judgment_from_top_logprobs,
    label_of,
    number_of,
)

weights = st.dictionaries(st.integers(0, 100), st.floats(0.001, 1.0), min_size=1, max_size=30)


def _normalised(w: dict[int, float], mass: float) -> dict[int, float]:
    total = sum(w.values())
    return {k: mass * v / total for k, v in w.items()}


@given(weights, st.floats(0.26, 1.0))
def test_expectation_in_range_and_mass_reported(w: dict[int, float], mass: float) -> None:
    probs = _normalised(w, mass)
    j = judgment_from_probs(probs, {})
    assert math.isclose(sum(probs.values()), mass, rel_tol=1e-9)
    assert math.isclose(j.numeric_mass, mass, rel_tol=1e-9)
    assert 0.0 <= j.score <= 100.0
    assert min(probs) - 1e-9 <= j.score <= max(probs) + 1e-9
    expected = sum(k * p for k, p in probs.items()) / sum(probs.values())
    assert math.isclose(j.score, expected, rel_tol=1e-9, abs_tol=1e-9)
    assert j.raw_score == j.score and j.reason is None


@given(weights, st.floats(0.0, 0.2499))
def test_low_mass_is_nan_with_reason(w: dict[int, float], mass: float) -> None:
    j = judgment_from_probs(_normalised(w, mass), {"CODE": 1 - mass})
    assert math.isnan(j.score) and math.isnan(j.raw_score)
    assert j.reason and "below" in j.reason
    assert "low-mass" in j.flags
    assert j.label == "CODE"
    assert not j.scored


@given(weights)
def test_logprob_tokens_give_the_same_as_probs(w: dict[int, float]) -> None:
    probs = _normalised(w, 1.0)
    top = {(" " if k % 2 else "") + str(k): math.log(p) for k, p in probs.items()}
    a = judgment_from_top_logprobs(top)
    b = judgment_from_probs(probs, {})
    assert math.isclose(a.score, b.score, rel_tol=1e-9)
    assert math.isclose(a.numeric_mass, 1.0, rel_tol=1e-9)


def test_known_distribution() -> None:
    top = {
        "80": math.log(0.5),
        " 90": math.log(0.25),
        "CODE": math.log(0.2),
        "hello": math.log(0.05),
    }
    j = judgment_from_top_logprobs(top)
    assert math.isclose(j.score, (80 * 0.5 + 90 * 0.25) / 0.75)
    assert math.isclose(j.numeric_mass, 0.75)
    assert j.label is None  # scored: the mass went to numbers
    assert j.top[0] == ("80", 0.5)


def test_refusal_prefix_token_labels_low_mass() -> None:
    j = judgment_from_top_logprobs({"REF": math.log(0.9), "50": math.log(0.05)})
    assert math.isnan(j.score)
    assert j.label == "REFUSAL"
    assert math.isclose(j.numeric_mass, 0.05)


def test_number_and_label_parsing() -> None:
    assert number_of(" 42 ") == 42
    assert number_of("100") == 100
    assert number_of("101") is None
    assert number_of("-1") is None
    assert number_of("٣") is None  # non-ASCII digit
    assert number_of("4.5") is None
    assert label_of(" code") == "CODE"
    assert label_of("RE") is None
    assert label_of("Yes") is None


def test_no_numbers_is_nan_not_zero() -> None:
    j = judgment_from_top_logprobs({"Sorry": -0.1})
    assert math.isnan(j.score)
    assert j.numeric_mass == 0.0
