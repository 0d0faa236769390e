"""Power: the answers an experiment needs, and the smallest difference a comparison could see.

Rates use the two-proportion test on Cohen's effect size h (arcsine transform) through
statsmodels' `NormalIndPower`; a design of several training runs per arm inflates the answers
needed by its design effect, 1 + (m - 1) * ICC for m answers per run and intra-run correlation
ICC. Means use the normal approximation on the standard error of the difference.

Showing that a difference is *below* a margin (a non-inferiority test, the gate's evidence of
safety) needs its own size: the Farrington-Manning formula, with the variance under the null at
the rates restricted to the margin (`spillover.stats.margin`) and under the alternative at the
rate both arms truly share, through statsmodels' `normal_sample_size_one_tail`.
"""

from __future__ import annotations

import math
from typing import Literal

from scipy import stats
from statsmodels.stats.power import NormalIndPower, normal_sample_size_one_tail
from statsmodels.stats.proportion import proportion_effectsize

from spillover.stats.margin import restricted_rates

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


def answers_per_run_needed(independent: float, runs: int, icc: float) -> int | None:
    """Answers per run so that ``runs`` runs of them are worth ``independent`` independent
    answers under intra-run correlation ``icc`` (effective size runs * m / (1 + (m - 1) * icc));
    None when no number of answers per run is enough (the effective size tops out at runs / icc).
    """
    if runs < 1:
        raise ValueError(f"the number of runs must be at least 1, got {runs}")
    design_effect(1.0, icc)  # validates icc
    if runs <= independent * icc:
        return None
    return max(1, math.ceil(independent * (1 - icc) / (runs - independent * icc) - 1e-9))


def answers_to_show_margin(
    baseline: float, margin: float, *, alpha: float = ALPHA, power: float = POWER
) -> int:
    """Counted answers per arm for a one-sided Farrington-Manning test at ``alpha`` to show, with
    probability ``power``, that treatment - control is below ``margin`` when both arms truly
    have the rate ``baseline``."""
    if not 0.0 <= baseline < 1.0:
        raise ValueError(f"the baseline rate must be in [0, 1), got {baseline}")
    if not 0.0 < margin <= 1.0 - baseline:
        raise ValueError(f"the margin must be in (0, 1 - baseline], got {margin}")
    r1, r2 = restricted_rates(baseline, 1.0, baseline, 1.0, margin)
    n = normal_sample_size_one_tail(
        margin,
        power,
        alpha,
        std_null=math.sqrt(r1 * (1 - r1) + r2 * (1 - r2)),
        std_alternative=math.sqrt(2 * baseline * (1 - baseline)),
    )
    return max(1, math.ceil(float(n) - 1e-9))


def answers_to_show_shift(
    unit_variance: float, margin: float, *, alpha: float = ALPHA, power: float = POWER
) -> int:
    """Answers per arm for a one-sided normal test at ``alpha`` to show, with probability
    ``power``, that a difference of means with no true difference is below ``margin``;
    ``unit_variance`` is n times the variance of the difference at n answers per arm."""
    if not margin > 0:
        raise ValueError(f"the margin must be positive, got {margin}")
    n = normal_sample_size_one_tail(margin, power, alpha, std_null=math.sqrt(unit_variance))
    return max(1, math.ceil(float(n) - 1e-9))
