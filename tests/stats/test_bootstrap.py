from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spillover.stats import cells, variance


def frame(rows: list[tuple[int, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["seed", "question", "value"])


def test_one_run_one_question_is_the_binomial_variance() -> None:
    hits = [1.0] * 20 + [0.0] * 80
    data = cells(frame([(0, "q", h) for h in hits]), "value")
    assert data.value() == pytest.approx(0.2)
    assert variance(data) == pytest.approx(0.2 * 0.8 / 100, rel=0.1)


def test_the_value_is_per_question_then_per_run() -> None:
    rows = [(0, "a", 1.0)] * 1 + [(0, "a", 0.0)] * 3 + [(0, "b", 1.0)] * 10  # run 0: (1/4 + 1)/2
    rows += [(1, "a", 0.0)] * 2 + [(1, "b", 0.0)] * 2  # run 1: 0
    data = cells(frame(rows), "value")
    assert data.run_values().tolist() == pytest.approx([0.625, 0.0])
    assert data.value() == pytest.approx(0.3125)


def test_runs_that_differ_only_between_them_give_the_variance_of_a_mean_of_runs() -> None:
    # every answer of a run is the same, so resampling answers adds nothing: the variance is that
    # of the mean of 4 runs drawn with replacement from the values 0, 1, 0, 1: 0.25 / 4
    rows = [(s, q, float(s % 2)) for s in range(4) for q in "abc" for _ in range(10)]
    assert variance(cells(frame(rows), "value"), draws=20000) == pytest.approx(0.0625, rel=0.05)


def test_constant_values_have_no_variance() -> None:
    rows = [(s, "q", 0.0) for s in range(3) for _ in range(10)]
    assert variance(cells(frame(rows), "value")) == 0.0


def test_between_run_spread_widens_the_interval_over_pooled_answers() -> None:
    rng = np.random.default_rng(1)
    same = [(s, "q", float(rng.random() < 0.3)) for s in range(4) for _ in range(50)]
    spread = [
        (s, "q", float(rng.random() < p))
        for s, p in enumerate([0.05, 0.55, 0.1, 0.5])
        for _ in range(50)
    ]
    v_same = variance(cells(frame(same), "value"))
    v_spread = variance(cells(frame(spread), "value"))
    assert v_spread > 3 * v_same


def test_missing_values_and_run_column_are_handled() -> None:
    table = pd.DataFrame({"question": ["q"] * 4, "value": [1.0, np.nan, 0.0, 0.0]})
    data = cells(table, "value", run="seed")  # no seed column: one run
    assert data.runs == ["-"] and data.n == 3 and data.value() == pytest.approx(1 / 3)


def test_seeded() -> None:
    data = cells(frame([(0, "q", float(i % 3 == 0)) for i in range(30)]), "value")
    assert variance(data, seed=3) == variance(data, seed=3) != variance(data, seed=4)


def test_cells_of_one_answer_are_not_certain() -> None:
    # one answer per question: the spread of the answers stands in for the within-question
    # spread, so the variance is that of a mean of 8 answers, not zero
    values = [10.0, 90.0, 20.0, 80.0, 30.0, 70.0, 40.0, 60.0]
    data = cells(frame([(0, f"q{i}", v) for i, v in enumerate(values)]), "value")
    expected = np.var(values, ddof=1) / len(values)
    assert variance(data, draws=20000) == pytest.approx(expected, rel=0.1)


def test_small_cells_get_their_unbiased_variance() -> None:
    values = [0.0, 1.0, 1.0]  # the bootstrap of 3 answers alone would give 2/3 of s^2 / n
    data = cells(frame([(0, "q", v) for v in values]), "value")
    assert variance(data, draws=40000) == pytest.approx(np.var(values, ddof=1) / 3, rel=0.08)


def test_rows_without_a_run_are_one_run() -> None:
    # the base model is never trained: its rows have no seed, and still count
    table = pd.DataFrame({"seed": [np.nan] * 3, "question": "q", "value": [1.0, 0.0, 0.0]})
    data = cells(table, "value")
    assert data.runs == ["-"] and data.n == 3 and data.value() == pytest.approx(1 / 3)
