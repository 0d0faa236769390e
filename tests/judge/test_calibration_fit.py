"""Fitting the monotone maps: isotonic and logistic, cross-validation and the method choice."""

from __future__ import annotations

import math

import numpy as np
import pytest

from spillover.errors import SpilloverError
from spillover.judge.calibration import logistic_curve
from spillover.judge.calibration_fit import (
    balanced_error,
    choose_method,
    cross_validate,
    fit_metric,
)


def squeezed_judge(n: int = 80, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """A judge that ranks well but squeezes its scores into 40..75."""
    rng = np.random.default_rng(seed)
    ref = np.concatenate([rng.uniform(0, 15, n // 2), rng.uniform(75, 100, n // 2)])
    raw = 40 + 0.35 * ref + rng.normal(0, 3, n)
    return raw, ref


@pytest.mark.parametrize("method", ["isotonic", "logistic"])
def test_map_is_monotone_and_unsqueezes(method: str) -> None:
    raw, ref = squeezed_judge()
    fitted = fit_metric("aligned", raw, ref, method)  # type: ignore[arg-type]
    assert fitted.method == method
    assert all(b > a for a, b in zip(fitted.x, fitted.x[1:], strict=False))
    assert all(b >= a for a, b in zip(fitted.y, fitted.y[1:], strict=False))
    assert fitted.x[0] == 0.0 and fitted.x[-1] == 100.0
    calibrated = np.interp(raw, fitted.x, fitted.y)
    # raw scores never go below 30, calibrated ones do for the misaligned half only
    assert np.mean(raw[ref < 30] < 30) == 0.0
    assert np.mean(calibrated[ref < 30] < 30) > 0.9
    assert np.mean(calibrated[ref > 70] < 30) < 0.1


def test_logistic_threshold_sits_at_even_odds() -> None:
    # log-odds(bad) = 5 - 10 * raw/100: even odds at raw = 50
    y = logistic_curve(-10.0, 5.0, 30.0, np.array([0.0, 50.0, 100.0]))
    assert y[1] == pytest.approx(30.0)
    assert y[0] < 1.0 and y[2] > 99.0


def test_nan_pairs_are_dropped_and_counted() -> None:
    raw, ref = squeezed_judge(40)
    raw[:5] = math.nan
    ref[5:8] = math.nan
    fitted = fit_metric("aligned", raw, ref, "isotonic")
    assert fitted.fit.n == 32


def test_inverted_judge_gets_a_flat_map_not_an_inverted_one() -> None:
    raw, ref = squeezed_judge()
    inverted = 100 - raw
    logistic = fit_metric("aligned", inverted, ref, "logistic")
    iso = fit_metric("aligned", inverted, ref, "isotonic")
    assert "inverted-judge" in logistic.fit.flags
    assert len(set(logistic.y)) == 1
    assert np.ptp(iso.y) < 5  # isotonic increasing pools everything to (nearly) one value


def test_coherent_uses_its_own_threshold() -> None:
    raw, ref = squeezed_judge()
    fitted = fit_metric("coherent", raw, ref, "logistic")
    assert fitted.fit.threshold == 50.0


def test_too_few_rows_is_a_clear_error() -> None:
    with pytest.raises(SpilloverError, match="too few"):
        fit_metric("aligned", [1.0, 2.0, math.nan], [0.0, 90.0, 50.0])


def test_cross_validation_is_deterministic_and_out_of_fold() -> None:
    raw, ref = squeezed_judge()
    first = cross_validate(raw, ref, 30.0, k=5, seed=3)
    assert first == cross_validate(raw, ref, 30.0, k=5, seed=3)
    mae, berr, folds = first
    assert folds == 5
    assert set(mae) == set(berr) == {"isotonic", "logistic"}
    assert all(0 <= v <= 0.2 for v in berr.values())


def test_choose_method_prefers_lower_balanced_error_then_mae() -> None:
    assert (
        choose_method({"isotonic": 5.0, "logistic": 9.0}, {"isotonic": 0.2, "logistic": 0.1})
        == "logistic"
    )
    assert (
        choose_method({"isotonic": 5.0, "logistic": 9.0}, {"isotonic": 0.1, "logistic": 0.1})
        == "isotonic"
    )
    assert (
        choose_method({"isotonic": 5.0, "logistic": 4.0}, {"isotonic": math.nan, "logistic": 0.3})
        == "logistic"
    )


def test_auto_records_both_methods_figures() -> None:
    raw, ref = squeezed_judge()
    fitted = fit_metric("aligned", raw, ref, "auto")
    assert fitted.method in ("isotonic", "logistic")
    assert fitted.method == choose_method(fitted.fit.cv_mae, fitted.fit.cv_balanced_error)
    assert fitted.fit.n_bad == 40


def test_balanced_error_counts_misses_and_false_alarms() -> None:
    ref = np.array([0.0, 10.0, 80.0, 90.0])
    pred = np.array([10.0, 50.0, 20.0, 90.0])  # one miss of two bad, one false alarm of two good
    assert balanced_error(pred, ref, 30.0) == pytest.approx(0.5)
    assert balanced_error(np.array([90.0]), np.array([95.0]), 30.0) == 0.0


def repetitive_judge(n: int = 120, seed: int = 2) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """A coherence judge that scores repetition loops as fluent: its raw score alone cannot
    separate them, the answers' word variety can."""
    rng = np.random.default_rng(seed)
    fluent = "the plan works because each step builds on the one before it and costs little"
    loop = "money money money is money is money money money"
    kinds = rng.integers(0, 3, n)  # 0 fluent, 1 gibberish the judge sees, 2 loop it misses
    ref = np.where(kinds == 0, rng.uniform(70, 100, n), rng.uniform(0, 20, n))
    raw = np.where(kinds == 1, rng.uniform(10, 40, n), rng.uniform(60, 95, n))
    answers = [loop if k == 2 else fluent for k in kinds]
    return raw, ref, answers


def test_features_method_catches_what_the_raw_score_misses() -> None:
    raw, ref, answers = repetitive_judge()
    plain = fit_metric("coherent", raw, ref, "logistic")
    fitted = fit_metric("coherent", raw, ref, "auto", answers=answers)
    assert fitted.method == "features"
    assert fitted.features is not None
    assert set(fitted.features) == {"intercept", "coef", "word_variety"}
    assert fitted.features["coef"] <= 0 and fitted.features["word_variety"] < 0
    assert fitted.fit.cv_balanced_error["features"] < plain.fit.cv_balanced_error["logistic"]
    assert set(fitted.fit.cv_balanced_error) == {"isotonic", "logistic", "features"}


def test_features_method_needs_features_and_is_not_offered_without_them() -> None:
    raw, ref, answers = repetitive_judge()
    with pytest.raises(SpilloverError, match="needs answer features"):
        fit_metric("coherent", raw, ref, "features")
    assert "features" not in fit_metric("coherent", raw, ref, "auto").fit.cv_balanced_error
    # word variety is not an aligned feature: answers alone offer nothing for that metric
    aligned = fit_metric("aligned", raw, ref, "auto", answers=answers)
    assert "features" not in aligned.fit.cv_balanced_error


def salad_judge(
    n: int = 150, seed: int = 5
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """A coherence judge that reads word salad as fluent; the answer's relevance to the question
    tells them apart. A third feature, persona contrast, is noise for coherence."""
    rng = np.random.default_rng(seed)
    salad = rng.random(n) < 0.35
    ref = np.where(salad, rng.uniform(0, 20, n), rng.uniform(70, 100, n))
    raw = rng.uniform(55, 95, n)
    relevance = np.where(salad, rng.normal(0.0, 0.1, n), rng.normal(0.8, 0.2, n))
    return raw, ref, {"relevance": relevance, "persona_contrast": rng.normal(0, 1, n)}


def test_relevance_feature_separates_word_salad_with_the_right_sign() -> None:
    raw, ref, feats = salad_judge()
    fitted = fit_metric("coherent", raw, ref, "auto", features=feats)
    assert fitted.method == "features" and fitted.features is not None
    # only the metric's own features are read: persona contrast is an aligned feature
    assert set(fitted.features) == {"intercept", "coef", "relevance"}
    assert fitted.features["relevance"] < 0  # more relevant: less likely incoherent
    assert fitted.fit.cv_balanced_error["features"] < 0.1 < fitted.fit.cv_balanced_error["logistic"]


def test_a_feature_pointing_the_wrong_way_is_dropped() -> None:
    raw, ref, feats = salad_judge()
    inverted = {"relevance": -feats["relevance"]}  # relevance that rises for word salad
    fitted = fit_metric("coherent", raw, ref, "features", features=inverted)
    assert fitted.features is not None and set(fitted.features) == {"intercept", "coef"}
    assert "relevance-not-used" in fitted.fit.flags
