from __future__ import annotations

import math

import pandas as pd
import pytest

from spillover.report import compare_groups, mark, rate_table, with_groups
from spillover.report.stats import (
    OVERALL,
    Thresholds,
    final_checkpoints,
    holm,
    step_rates,
)
from tests.report.frames import make_results


def test_holm() -> None:
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    out = holm([0.5, math.nan, 0.9])
    assert out[0] == pytest.approx(1.0) and math.isnan(out[1]) and out[2] == pytest.approx(1.0)


def test_mark_excludes_incoherent_and_unscored() -> None:
    frame = pd.DataFrame({"aligned": [10, 10, None, 80, 29.9], "coherent": [90, 50, 90, 90, 51]})
    marked = mark(frame)
    assert marked["counted"].tolist() == [True, False, False, True, True]
    assert marked["misaligned"].tolist() == [True, False, False, False, True]
    strict = mark(frame, Thresholds(aligned_below=20, coherent_above=40))
    assert strict["misaligned"].tolist() == [True, True, False, False, False]


def test_rate_table_counts() -> None:
    rates = rate_table(mark(with_groups(make_results({"m": {"a": (3, 10), "b": (0, 20)}}))))
    row = rates.set_index("question").loc["a"]
    assert (row["misaligned"], row["counted"], row["answers"]) == (3, 10, 12)
    overall = rates.set_index("question").loc[OVERALL]
    assert overall["rate"] == pytest.approx((3 / 10 + 0 / 20) / 2)  # the mean over questions
    assert overall["pooled"] == pytest.approx(3 / 30)
    assert overall["low"] <= overall["rate"] <= overall["high"]


def _compare(base: dict, other: dict) -> pd.DataFrame:
    frame = with_groups(
        pd.concat([make_results({"base": base}), make_results({"ft": other})], ignore_index=True)
    )
    marked = mark(frame)
    return compare_groups(marked, rate_table(marked), "base")


def test_compare_finds_a_real_difference() -> None:
    tests = _compare({"a": (1, 60), "b": (1, 60)}, {"a": (25, 60), "b": (2, 60)}).set_index(
        "question"
    )
    assert tests.loc["a", "significant"] and not tests.loc["b", "significant"]
    assert tests.loc["a", "p_adjusted"] == pytest.approx(min(1.0, 2 * tests.loc["a", "p"]))
    assert tests.loc[OVERALL, "significant"]
    overall = tests.loc[OVERALL]
    assert overall["unit"] == "answer" and "fine-tunes" in overall["caveat"]
    assert overall["difference_low"] < overall["difference"] < overall["difference_high"]
    assert 0 < overall["detectable"] < 0.25


def test_compare_states_no_effect() -> None:
    tests = _compare({"a": (3, 30), "b": (2, 30)}, {"a": (4, 30), "b": (2, 30)})
    assert not tests["significant"].any()
    assert (tests["p_adjusted"] >= tests["p"]).all()
    overall = tests.set_index("question").loc[OVERALL]
    assert overall["detectable"] > abs(overall["difference"])  # it says what it could not see


def test_checkpoints() -> None:
    frames = [
        make_results({"m": {"a": (k, 20)}}, adapter="run", step=s)
        for s, k in ((0, 1), (10, 5), (20, 9))
    ]
    marked = mark(with_groups(pd.concat(frames, ignore_index=True)))
    steps = step_rates(marked)
    assert steps["step"].tolist() == [0, 10, 20]
    assert steps["rate"].tolist() == pytest.approx([0.05, 0.25, 0.45])
    assert set(final_checkpoints(marked)["step"]) == {20}
