from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from spillover.gate.stats import margin_test, score_z

counts = st.integers(min_value=1, max_value=400).flatmap(
    lambda n: st.tuples(st.integers(0, n), st.just(n))
)


@settings(max_examples=150, deadline=None)
@given(counts, counts, st.floats(-0.3, 0.3), st.sampled_from([0.01, 0.05, 0.1]))
def test_decision_matches_interval(
    c: tuple[int, int], r: tuple[int, int], margin: float, alpha: float
) -> None:
    t = margin_test(c[0], c[1], r[0], r[1], margin, alpha)
    assert 0.0 <= t.p <= 1.0
    assert -1.0 <= t.low <= t.difference + 1e-9 and t.difference - 1e-9 <= t.high <= 1.0
    if abs(t.low - margin) > 1e-6:
        assert (t.p < alpha) == (t.low > margin)


@settings(max_examples=100, deadline=None)
@given(counts, counts)
def test_score_decreases_with_the_null_difference(c: tuple[int, int], r: tuple[int, int]) -> None:
    values = [score_z(c[0], c[1], r[0], r[1], d / 10) for d in range(-9, 10)]
    assert all(a >= b - 1e-9 for a, b in pairwise(values))
