"""The sizes the gate's evidence-of-safety test needs, and runs as clusters."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from spillover.stats.margin import score_z
from spillover.stats.power import (
    answers_per_run_needed,
    answers_to_show_margin,
    answers_to_show_shift,
    design_effect,
)

Z95, Z80 = float(stats.norm.isf(0.05)), float(stats.norm.ppf(0.8))


def test_margin_size_at_a_zero_rate_by_hand() -> None:
    # both arms at 0: the null variance is M(1 - M) (restricted rates M and 0), the
    # alternative's is 0, so n = z_alpha^2 (1 - M) / M
    for margin in (0.02, 0.05, 0.1):
        assert answers_to_show_margin(0.0, margin) == math.ceil(Z95**2 * (1 - margin) / margin)


def test_margin_size_at_zero_is_where_the_score_bound_crosses_the_margin() -> None:
    n = answers_to_show_margin(0.0, 0.02)  # 0 of n in both arms passes from n on
    assert score_z(0, n, 0, n, 0.02) < -Z95 < score_z(0, n - 1, 0, n - 1, 0.02)


def test_margin_size_near_the_textbook_normal_formula() -> None:
    # Blackwelder's formula (variance at the common rate under the null too) is close
    p, m = 0.05, 0.02
    textbook = (Z95 + Z80) ** 2 * 2 * p * (1 - p) / m**2
    assert answers_to_show_margin(p, m) == pytest.approx(textbook, rel=0.05)


def test_margin_size_gives_the_promised_power_exactly() -> None:
    # exact power of the score test over every pair of binomial outcomes
    p, m = 0.2, 0.1
    n = answers_to_show_margin(p, m)

    def exact_power(size: int) -> float:
        mass = stats.binom.pmf(np.arange(size + 1), size, p)
        return sum(
            mass[a] * mass[b]
            for a in range(size + 1)
            for b in range(size + 1)
            if mass[a] * mass[b] > 1e-12 and score_z(a, size, b, size, m) < -Z95
        )

    assert 0.76 < exact_power(n) < 0.86
    assert exact_power(n // 2) < 0.6


def test_shift_size_by_hand() -> None:
    sd, m = 25.0, 5.0
    assert answers_to_show_shift(2 * sd**2, m) == math.ceil(((Z95 + Z80) * sd / m) ** 2 * 2)


def test_answers_per_run_reach_the_effective_size() -> None:
    independent, runs, icc = 133, 6, 0.02
    m = answers_per_run_needed(independent, runs, icc)
    assert m is not None
    assert runs * m / design_effect(m, icc) >= independent
    assert runs * (m - 1) / design_effect(m - 1, icc) < independent
    assert answers_per_run_needed(independent, runs, 0.0) == math.ceil(independent / runs)
    assert answers_per_run_needed(100, 5, 0.05) is None  # 5 runs are worth at most 100


def test_bad_inputs_raise() -> None:
    with pytest.raises(ValueError, match="baseline"):
        answers_to_show_margin(1.0, 0.02)
    with pytest.raises(ValueError, match="margin"):
        answers_to_show_margin(0.99, 0.02)
    with pytest.raises(ValueError, match="margin"):
        answers_to_show_shift(100.0, 0.0)
    with pytest.raises(ValueError):
        answers_per_run_needed(100, 0, 0.1)
