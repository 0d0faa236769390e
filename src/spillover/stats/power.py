"""Power: the answers an experiment needs, and the smallest difference a comparison could see.

Rates use the two-proportion test on Cohen's effect size h (arcsine transform) through
statsmodels' `NormalIndPower`; a design of several training runs per arm inflates the answers
needed by its design effect, 1 + (m - 1) * ICC for m answers per run and intra-run correlation
ICC. Means use the normal approximation on the standard error of the difference.
"""

from __future__ import annotations

import math
from typing import Literal

from scipy import stats
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize

Alternative = Literal["two-sided", "larger"]
ALPHA = 0.05
POWER = 0.8


def _sm_alternative(alternative: Alternative) -> str:
    return "two-sided" if alternative == "two-sided" else "larger"


def answers_needed(
    baseline: float,
    effect: float,
    *,
    alpha: float = ALPHA,
    power: float = POWER,
    alternative: Alternative = "two-sided",
    design_effect: float = 1.0,
) -> int:
    """Counted answers per arm to detect a rise from ``baseline`` to ``baseline + effect`` with
    probability ``power`` at ``alpha`` (two equal arms)."""
    if not 0.0 <= baseline < 1.0:
        raise ValueError(f"the baseline rate must be in [0, 1), got {baseline}")
    if not 0.0 < baseline + effect <= 1.0 or effect == 0:
        raise ValueError(f"baseline + effect must be in (0, 1] and effect non-zero, got {effect}")
    h = abs(float(proportion_effectsize(baseline + effect, baseline)))
    n = NormalIndPower().solve_power(
        effect_size=h, alpha=alpha, power=power, ratio=1.0, alternative=_sm_alternative(alternative)
    )
    return math.ceil(float(n) * max(design_effect, 1.0))


def design_effect(answers_per_run: float, icc: float) -> float:
    """Kish's design effect of clustering answers in runs."""
    if not 0.0 <= icc <= 1.0:
        raise ValueError(f"the intra-run correlation must be in [0, 1], got {icc}")
    return 1.0 + (max(answers_per_run, 1.0) - 1.0) * icc


def detectable_increase(
    baseline: float,
    n_treatment: float,
    n_control: float,
    *,
    alpha: float = ALPHA,
    power: float = POWER,
    alternative: Alternative = "two-sided",
) -> float:
    """The smallest rise over ``baseline`` (a share) that a comparison of ``n_treatment`` and
    ``n_control`` counted answers (effective sizes when the answers cluster in runs) detects
    with probability ``power`` at ``alpha``; NaN when either arm is empty."""
    if n_treatment < 1 or n_control < 1 or math.isnan(baseline):
        return math.nan
    base = min(max(baseline, 0.0), 1.0)
    h = NormalIndPower().solve_power(
        nobs1=n_treatment,
        alpha=alpha,
        power=power,
        ratio=n_control / n_treatment,
        alternative=_sm_alternative(alternative),
    )
    target = math.sin(math.asin(math.sqrt(base)) + float(h) / 2) ** 2
    if math.asin(math.sqrt(base)) + float(h) / 2 >= math.pi / 2:
        return 1.0 - base
    return target - base


def detectable_shift(
    standard_error: float,
    *,
    alpha: float = ALPHA,
    power: float = POWER,
    alternative: Alternative = "two-sided",
) -> float:
    """The smallest shift of a mean a normal test with this standard error detects."""
    if math.isnan(standard_error):
        return math.nan
    tail = alpha / 2 if alternative == "two-sided" else alpha
    return float((stats.norm.isf(tail) + stats.norm.ppf(power)) * standard_error)


def power_of(
    baseline: float,
    effect: float,
    n_per_arm: float,
    *,
    alpha: float = ALPHA,
    alternative: Alternative = "two-sided",
) -> float:
    """The chance that ``n_per_arm`` counted answers per arm detect ``effect`` over ``baseline``."""
    h = abs(float(proportion_effectsize(baseline + effect, baseline)))
    return float(
        NormalIndPower().power(
            effect_size=h,
            nobs1=n_per_arm,
            alpha=alpha,
            ratio=1.0,
            alternative=_sm_alternative(alternative),
        )
    )
