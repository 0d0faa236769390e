from __future__ import annotations

import math

import pytest

from spillover.errors import InputError
from spillover.gate import decide
from spillover.gate.stats import margin_test, restricted_rates, score_z
from tests.report.frames import make_results


def _tables(k_c: int, n_c: int, k_r: int, n_r: int) -> tuple:
    cand = make_results(
        {"cand": {"q1": (k_c // 2, n_c // 2), "q2": (k_c - k_c // 2, n_c - n_c // 2)}}
    )
    ref = make_results(
        {"ref": {"q1": (k_r // 2, n_r // 2), "q2": (k_r - k_r // 2, n_r - n_r // 2)}}
    )
    return cand, ref


def test_clear_fail() -> None:
    result = decide(*_tables(60, 200, 4, 200), max_increase=0.02, alpha=0.05)
    assert result.failed
    assert result.test.low > 0.02
    assert result.candidate.rate == pytest.approx(0.30)
    assert result.reference.counted == 200  # incoherent and refusal rows are not counted
    assert result.candidate.answers == 200 + 2 * 2
    assert result.lines()[2].startswith("FAIL")


def test_clear_pass_when_candidate_is_better() -> None:
    result = decide(*_tables(2, 200, 20, 200))
    assert not result.failed
    assert result.test.p > 0.5
    assert result.lines()[2].startswith("PASS")


def test_increase_within_margin_passes() -> None:
    # +1 point on n=4000 each: significant against 0 but not beyond a 2-point margin.
    result = decide(*_tables(240, 4000, 200, 4000), max_increase=0.02)
    assert not result.failed
    zero_margin = decide(*_tables(240, 4000, 200, 4000), max_increase=0.0)
    assert zero_margin.failed
    assert 0.0 < result.test.low < 0.02


def test_big_difference_on_small_n_is_not_significant() -> None:
    result = decide(*_tables(2, 10, 0, 10), max_increase=0.02)
    assert result.test.difference == pytest.approx(0.2)
    assert not result.failed
    assert "larger n" in result.lines()[2]


def test_same_data_at_larger_n_fails() -> None:
    assert decide(*_tables(40, 200, 0, 200), max_increase=0.02).failed


def test_p_and_interval_agree_around_the_margin() -> None:
    for k in range(0, 40):
        t = margin_test(k, 300, 5, 300, margin=0.02, alpha=0.05)
        assert (t.p < 0.05) == (t.low > 0.02), k


def test_restricted_rates_satisfy_the_constraint_and_maximise_likelihood() -> None:
    k1, n1, k2, n2, d = 12, 90, 4, 110, 0.05
    r1, r2 = restricted_rates(k1, n1, k2, n2, d)
    assert r1 - r2 == pytest.approx(d)

    def loglik(p2: float) -> float:
        p1 = p2 + d
        return (
            k1 * math.log(p1)
            + (n1 - k1) * math.log(1 - p1)
            + k2 * math.log(p2)
            + (n2 - k2) * math.log(1 - p2)
        )

    best = loglik(r2)
    for step in (-1e-3, 1e-3):
        assert loglik(r2 + step) < best


def test_score_z_is_zero_at_the_observed_difference() -> None:
    assert score_z(30, 100, 10, 100, 0.2) == pytest.approx(0.0, abs=1e-9)


def test_bad_inputs_raise() -> None:
    cand, ref = _tables(10, 100, 5, 100)
    with pytest.raises(InputError):
        decide(cand, ref, alpha=0.7)
    empty = ref.assign(coherent=10.0)
    with pytest.raises(InputError, match="no coherent"):
        decide(cand, empty)


def test_different_judges_warn() -> None:
    cand, ref = _tables(10, 100, 5, 100)
    result = decide(cand, ref.assign(judge_model="other"))
    assert result.warnings
    assert result.to_json()["verdict"] in {"PASS", "FAIL"}
