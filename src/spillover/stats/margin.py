"""Tests of a difference against a margin: is treatment - control above (or below) ``margin``?

A difference of two proportions uses the Farrington-Manning score test (Stat. Med. 1990): the
variance is taken at the maximum-likelihood rates restricted to ``p1 - p2 = margin`` (closed
form of the cubic), and the one-sided confidence bounds invert the same statistic, so "the lower
bound is above the margin" and "p < alpha for H1: difference > margin" always agree (and so do
the upper bound and H1: difference < margin). A difference of two means (mean alignment) uses
the normal test on its standard error.

statsmodels' ``test_proportions_2indep(method="score", compare="diff")`` is not used: in the
installed 0.15.0 its restricted estimate has a wrong linear coefficient for a non-zero margin
(statsmodels issue 10269), so its p-values and score intervals are off by up to a few points,
and its score interval fails to bracket a root for zero counts. At a zero margin the two agree
(tests/stats/test_margin.py checks both).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from scipy import optimize, stats

Direction = Literal["larger", "smaller"]
_EDGE = 1e-9
SCORE_METHOD = "Farrington-Manning score test, one-sided, shifted null"
NORMAL_METHOD = "normal test on the bootstrap standard error, one-sided, shifted null"


def restricted_rates(
    k1: float, n1: float, k2: float, n2: float, delta: float
) -> tuple[float, float]:
    """Maximum-likelihood (p1, p2) under the constraint p1 - p2 = delta (counts may be
    expected, fractional counts)."""
    p1, p2 = k1 / n1, k2 / n2
    theta = n2 / n1
    a = 1 + theta
    b = -(1 + theta + p1 + theta * p2 + delta * (theta + 2))
    c = delta * delta + delta * (2 * p1 + theta + 1) + p1 + theta * p2
    d = -p1 * delta * (1 + delta)
    v = b**3 / (3 * a) ** 3 - b * c / (6 * a * a) + d / (2 * a)
    s = b * b / (3 * a) ** 2 - c / (3 * a)
    u = math.copysign(math.sqrt(max(s, 0.0)), v) if v != 0 else math.sqrt(max(s, 0.0))
    if u == 0:
        r1 = -b / (3 * a)
    else:
        ratio = max(-1.0, min(1.0, v / u**3))
        w = (math.pi + math.acos(ratio)) / 3
        r1 = 2 * u * math.cos(w) - b / (3 * a)
    r1 = min(min(1.0, 1.0 + delta), max(max(0.0, delta), r1))  # keeps r2 = r1 - delta in [0, 1]
    return r1, r1 - delta


def score_z(k1: int, n1: int, k2: int, n2: int, delta: float) -> float:
    """The score statistic for H0: p1 - p2 = delta (positive when the data lie above delta)."""
    r1, r2 = restricted_rates(k1, n1, k2, n2, delta)
    diff = k1 / n1 - k2 / n2 - delta
    var = r1 * (1 - r1) / n1 + r2 * (1 - r2) / n2
    if var <= 0:  # both rates on the same boundary (0 or 1): only a real gap is infinitely unlikely
        return 0.0 if abs(diff) < 1e-9 else math.copysign(math.inf, diff)
    return diff / math.sqrt(var)


@dataclass(frozen=True)
class MarginTest:
    """treatment - control against ``margin``: one-sided bounds at ``alpha`` each (together a
    1 - 2*alpha interval), and the p-value of H1: difference ``direction`` than the margin."""

    difference: float
    low: float
    high: float
    p: float
    z: float
    margin: float
    alpha: float
    direction: Direction
    method: str

    @property
    def confidence(self) -> float:
        """The confidence of each one-sided bound."""
        return 1 - self.alpha


def _p(z: float, direction: Direction) -> float:
    return float(stats.norm.sf(z) if direction == "larger" else stats.norm.cdf(z))


def _bound(k1: int, n1: int, k2: int, n2: int, target: float) -> float:
    """The delta where the score statistic equals ``target`` (it decreases in delta)."""
    lo, hi = -1 + _EDGE, 1 - _EDGE

    def f(delta: float) -> float:
        return score_z(k1, n1, k2, n2, delta) - target

    if f(lo) <= 0:
        return -1.0
    if f(hi) >= 0:
        return 1.0
    return float(optimize.brentq(f, lo, hi, xtol=1e-10))


def margin_test(
    k1: int,
    n1: int,
    k2: int,
    n2: int,
    margin: float,
    alpha: float,
    direction: Direction = "larger",
) -> MarginTest:
    """Is p1 (treatment) above (``larger``) or below (``smaller``) p2 (control) + ``margin``?"""
    if n1 <= 0 or n2 <= 0:
        raise ValueError("both groups need at least one counted answer")
    z = score_z(k1, n1, k2, n2, margin)
    crit = float(stats.norm.isf(alpha))
    return MarginTest(
        difference=k1 / n1 - k2 / n2,
        low=_bound(k1, n1, k2, n2, crit),
        high=_bound(k1, n1, k2, n2, -crit),
        p=_p(z, direction),
        z=z,
        margin=margin,
        alpha=alpha,
        direction=direction,
        method=SCORE_METHOD,
    )


def normal_margin_test(
    difference: float,
    standard_error: float,
    margin: float,
    alpha: float,
    direction: Direction = "larger",
) -> MarginTest:
    """The same question for a difference with a normal sampling distribution."""
    if not standard_error >= 0:
        raise ValueError(f"the standard error must be 0 or more, got {standard_error}")
    gap = difference - margin
    if standard_error > 0:
        z = gap / standard_error
    else:  # no spread at all: the difference is known
        z = 0.0 if gap == 0 else math.copysign(math.inf, gap)
    half = float(stats.norm.isf(alpha)) * standard_error
    return MarginTest(
        difference=difference,
        low=difference - half,
        high=difference + half,
        p=_p(z, direction),
        z=z,
        margin=margin,
        alpha=alpha,
        direction=direction,
        method=NORMAL_METHOD,
    )
