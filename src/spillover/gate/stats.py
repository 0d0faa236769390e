"""Farrington-Manning score test for a difference of two proportions with a shifted null.

Tests H0: p_c - p_r <= margin against H1: p_c - p_r > margin (one-sided). The variance is
taken under the null, at the maximum-likelihood rates restricted to ``p_c - p_r = margin``
(closed form from Farrington & Manning, Stat. Med. 1990). The confidence interval inverts the
same statistic, so "the interval's lower end is above the margin" and "p < alpha" always agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import optimize, stats

_EDGE = 1e-9


def restricted_rates(k1: int, n1: int, k2: int, n2: int, delta: float) -> tuple[float, float]:
    """Maximum-likelihood (p1, p2) under the constraint p1 - p2 = delta."""
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
    difference: float
    low: float  # one-sided lower confidence bound at alpha (the interval is 1 - 2*alpha two-sided)
    high: float
    p: float  # one-sided p for H0: difference <= margin
    z: float
    margin: float
    alpha: float
    method: str = "Farrington-Manning score test, one-sided, shifted null"


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


def margin_test(k1: int, n1: int, k2: int, n2: int, margin: float, alpha: float) -> MarginTest:
    """Is p1 (candidate) above p2 (reference) by more than ``margin``, at level ``alpha``?"""
    if n1 <= 0 or n2 <= 0:
        raise ValueError("both groups need at least one counted answer")
    z = score_z(k1, n1, k2, n2, margin)
    crit = float(stats.norm.ppf(1 - alpha))
    return MarginTest(
        difference=k1 / n1 - k2 / n2,
        low=_bound(k1, n1, k2, n2, crit),
        high=_bound(k1, n1, k2, n2, -crit),
        p=float(stats.norm.sf(z)),
        z=z,
        margin=margin,
        alpha=alpha,
    )
