from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from spillover.stats import compare
from spillover.stats.compare import smallest_run_p


def arm(
    hits_per_run: list[list[int]], questions: str = "q", aligned_hit: float = 5.0
) -> pd.DataFrame:
    rows = []
    for seed, hits in enumerate(hits_per_run):
        for i, h in enumerate(hits):
            rows.append(
                {
                    "seed": seed,
                    "question": questions[i % len(questions)],
                    "aligned": aligned_hit if h else 90.0,
                    "coherent": 80.0,
                }
            )
    return pd.DataFrame(rows)


def test_answer_unit_agrees_with_fisher_on_one_question() -> None:
    t = arm([[1] * 8 + [0] * 16])
    c = arm([[1] * 1 + [0] * 23])
    result = compare(t, c, names=("t", "c"))
    fisher = sps.fisher_exact([[8, 16], [1, 23]]).pvalue
    assert result.unit == "answer" and result.caveat is not None
    assert result.p == pytest.approx(fisher, abs=0.01)
    assert result.difference.value == pytest.approx(7 / 24)
    assert result.difference.low < result.difference.value < result.difference.high


def test_identical_arms_are_not_different() -> None:
    t = arm([[1, 0, 0, 0] * 6], questions="ab")
    result = compare(t, t.copy())
    assert result.p == pytest.approx(1.0) and not result.significant
    assert result.difference.value == 0 and result.difference.low < 0 < result.difference.high


def test_zero_against_zero_keeps_a_width() -> None:
    none = arm([[0] * 24])
    result = compare(none, none.copy())
    assert result.difference.low < 0 < result.difference.high
    assert 0 < result.detectable < 1  # the smallest increase it could see from a 0% control


def test_run_unit_with_three_runs_cannot_reach_significance_and_says_so() -> None:
    t = arm([[1] * 10 + [0] * 10] * 3)
    c = arm([[0] * 20] * 3)
    result = compare(t, c)
    assert result.unit == "run" and result.caveat is None
    assert result.p == pytest.approx(0.1)  # 2 of the 20 ways to split six runs
    assert math.isinf(result.detectable) and "cannot reach" in result.describe()
    assert smallest_run_p(3, 3, "two-sided") == pytest.approx(0.1)


def test_run_unit_with_five_runs_detects_a_clear_shift() -> None:
    t = arm([[1] * 10 + [0] * 10] * 5)
    c = arm([[0] * 20] * 5)
    result = compare(t, c)
    assert result.unit == "run"
    assert result.p == pytest.approx(2 / math.comb(10, 5), rel=0.01)
    assert result.significant


def test_mean_alignment_shift() -> None:
    rng = np.random.default_rng(0)
    t = pd.DataFrame({"question": "q", "aligned": rng.normal(60, 10, 200), "coherent": 80.0})
    c = pd.DataFrame({"question": "q", "aligned": rng.normal(80, 10, 200), "coherent": 80.0})
    result = compare(t, c, metric="mean")
    assert result.difference.value == pytest.approx(-20, abs=3)
    assert result.difference.high < 0 and result.p < 0.001
    assert result.detectable == pytest.approx(2.8 * math.sqrt(2 * 100 / 200), rel=0.15)
    assert "points of mean alignment" in result.describe()


def test_one_sided_alternative() -> None:
    t = arm([[1] * 6 + [0] * 18])
    c = arm([[1] * 1 + [0] * 23])
    two = compare(t, c)
    one = compare(t, c, alternative="larger")
    assert one.p < two.p
    down = compare(c, t, alternative="larger")
    assert down.p > 0.9


@pytest.mark.parametrize("shift", [0.0, 4.0, 12.0])
def test_with_two_runs_the_interval_and_the_p_value_resample_the_same_unit(shift: float) -> None:
    rng = np.random.default_rng(7)

    def table(mean: float) -> pd.DataFrame:
        rows = [
            {"seed": s, "question": f"q{q}", "aligned": rng.normal(mean, 15), "coherent": 80.0}
            for s in range(2)
            for q in range(8)
            for _ in range(3)
        ]
        return pd.DataFrame(rows)

    result = compare(table(70 + shift), table(70), metric="mean")
    assert result.unit == "answer" and result.runs == (2, 2)
    excludes_zero = result.difference.low > 0 or result.difference.high < 0
    if result.p < 0.02:
        assert excludes_zero
    if result.p > 0.1:
        assert not excludes_zero
