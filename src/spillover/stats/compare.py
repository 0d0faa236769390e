"""Comparisons between arms: the difference, its interval, its p-value, and what it could see.

The unit of a comparison is the training run when each arm has `MIN_RUNS` or more runs: the
p-value then comes from a permutation test over the runs' values (scipy's `permutation_test`),
and the interval from the hierarchical bootstrap (runs, then answers). With fewer runs the unit
is the answer: a permutation test that shuffles arm labels among the answers of each question
(the questions stay the design), and the result says in words that its interval covers sampling
noise only, not the difference between fine-tunes.

A difference of rates gets Newcombe's interval built from the two arms' Wilson intervals (so it
has width at 0 and 100%); a difference of mean alignment, a normal interval from the two
bootstrap variances. Every comparison states the smallest difference it had an 80% chance to
detect at its alpha (`spillover.stats.power`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from spillover.stats import bootstrap, power
from spillover.stats.rates import (
    COLUMNS,
    LEVEL,
    RATE_NAMES,
    Estimate,
    RateName,
    Thresholds,
    effective_size,
    mark,
    mean_interval,
    share_interval,
)

Metric = Literal["rate", "mean"]
MIN_RUNS = 3
PERMUTATIONS = 9999
ANSWER_UNIT_CAVEAT = (
    "fewer than {min_runs} training runs per arm: the interval covers the sampling of answers "
    "only, not the difference between fine-tunes (train more seeds to include it)"
)


@dataclass(frozen=True)
class ArmFigure:
    """One arm's headline figure: the value (mean over questions, then runs) and its spread."""

    estimate: Estimate
    variance: float
    runs: int
    run_values: tuple[float, ...]
    cells: bootstrap.Cells


def prepare(frame: pd.DataFrame, thresholds: Thresholds = Thresholds()) -> pd.DataFrame:
    """Mark ``frame`` and add the columns the figures read (`with_values`)."""
    return with_values(mark(frame, thresholds))


def with_values(marked: pd.DataFrame) -> pd.DataFrame:
    """A marked frame plus ``aligned_counted`` (the aligned score of counted answers only) and
    each share's 0/1 values (`value_column`)."""
    marked = marked.copy()
    aligned = pd.to_numeric(marked["aligned"], errors="coerce")
    marked["aligned_counted"] = aligned.where(marked["counted"])
    # a share's values are its hits among its denominator; NaN elsewhere drops out of `cells`
    for name in RATE_NAMES:
        hit, denominator = COLUMNS[name]
        marked[value_column(name)] = marked[hit].astype(float).where(marked[denominator])
    return marked


def value_column(name: RateName) -> str:
    """The column of `prepare`'s frame holding a share's 0/1 values (NaN outside its
    denominator)."""
    return f"{name}_value"


def arm_figure(
    marked: pd.DataFrame,
    metric: Metric = "rate",
    run: str | None = "seed",
    draws: int = bootstrap.DRAWS,
    seed: int = bootstrap.SEED,
) -> ArmFigure:
    """The arm's rate (share misaligned among counted answers) or mean alignment."""
    column = value_column("misaligned") if metric == "rate" else "aligned_counted"
    data = bootstrap.cells(marked, column, run)
    value = data.value()
    var = bootstrap.variance(data, draws, seed)
    n = data.n
    estimate = share_interval(value, var, n) if metric == "rate" else mean_interval(value, var, n)
    return ArmFigure(estimate, var, len(data.runs), tuple(data.run_values()), data)


@dataclass(frozen=True)
class Comparison:
    """Treatment minus control on one metric."""

    metric: Metric
    treatment: str
    control: str
    treatment_value: Estimate
    control_value: Estimate
    difference: Estimate
    p: float
    alternative: power.Alternative
    alpha: float
    unit: Literal["run", "answer"]
    runs: tuple[int, int]
    detectable: float  # the smallest difference with an 80% chance of p < alpha
    method: str
    caveat: str | None

    @property
    def significant(self) -> bool:
        return not math.isnan(self.p) and self.p < self.alpha

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["significant"] = self.significant
        return data

    def difference_text(self) -> str:
        """``+16.7 [-0.4, +35.9] percentage points`` or ``-14.4 [...] points of mean alignment``."""
        if self.metric == "mean":
            return f"{self.difference.points(signed=True)} points of mean alignment"
        d = self.difference
        return f"{100 * d.value:+.1f} [{100 * d.low:+.1f}, {100 * d.high:+.1f}] percentage points"

    def detectable_text(self) -> str:
        """The smallest difference this comparison had an 80% chance to detect."""
        if math.isinf(self.detectable):
            return f"none: {self.runs[0]} and {self.runs[1]} runs cannot reach p < {self.alpha:g}"
        if math.isnan(self.detectable):
            return "unknown (an arm has no counted answers)"
        scale = 100 if self.metric == "rate" else 1
        return f"{scale * self.detectable:.1f} points"

    def describe(self) -> str:
        """One line: difference, interval, p, unit, and the smallest detectable difference."""
        return (
            f"{self.treatment} vs {self.control}: {self.difference_text()}, p = {self.p:.3g} "
            f"({self.unit}s as the unit); smallest difference detectable at this size "
            f"(80% power, alpha {self.alpha:g}): {self.detectable_text()}"
        )


def _newcombe(t: Estimate, c: Estimate) -> Estimate:
    d = t.value - c.value
    low = d - math.sqrt((t.value - t.low) ** 2 + (c.high - c.value) ** 2)
    high = d + math.sqrt((t.high - t.value) ** 2 + (c.value - c.low) ** 2)
    return Estimate(d, max(-1.0, low), min(1.0, high), t.n + c.n)


def _stratified_permutation_p(
    t: bootstrap.Cells, c: bootstrap.Cells, alternative: power.Alternative, seed: int
) -> float:
    """Shuffle the arm labels among the answers of each question (runs pooled)."""
    rng = np.random.default_rng(seed)

    def pooled_cells(data: bootstrap.Cells) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for q_index, question in enumerate(data.questions):
            parts = [row[q_index] for row in data.values if row[q_index].size]
            if parts:
                out[question] = np.concatenate(parts)
        return out

    a, b = pooled_cells(t), pooled_cells(c)
    shared = [q for q in a if q in b]
    if not shared:
        return math.nan

    def stat(values: list[tuple[np.ndarray, np.ndarray]]) -> float:
        return float(
            np.mean([x.mean() for x, _ in values]) - np.mean([y.mean() for _, y in values])
        )

    observed = stat([(a[q], b[q]) for q in shared])
    perm_t = np.zeros(PERMUTATIONS)
    perm_c = np.zeros(PERMUTATIONS)
    for q in shared:
        both = np.concatenate([a[q], b[q]])
        k = a[q].size
        shuffled = rng.permuted(np.broadcast_to(both, (PERMUTATIONS, both.size)), axis=1)
        perm_t += shuffled[:, :k].mean(axis=1)
        perm_c += shuffled[:, k:].mean(axis=1)
    diffs = (perm_t - perm_c) / len(shared)
    tol = 1e-12
    if alternative == "two-sided":
        extreme = np.abs(diffs) >= abs(observed) - tol
    else:
        extreme = diffs >= observed - tol
    return float((1 + extreme.sum()) / (PERMUTATIONS + 1))


def _run_permutation_p(t: ArmFigure, c: ArmFigure, alternative: power.Alternative) -> float:
    x = np.asarray([v for v in t.run_values if not math.isnan(v)])
    y = np.asarray([v for v in c.run_values if not math.isnan(v)])
    result = stats.permutation_test(
        (x, y),
        lambda a, b, axis: np.mean(a, axis=axis) - np.mean(b, axis=axis),
        permutation_type="independent",
        alternative="two-sided" if alternative == "two-sided" else "greater",
        n_resamples=PERMUTATIONS,
        vectorized=True,
        random_state=0,
    )
    return float(result.pvalue)


def _run_count(frame: pd.DataFrame, run: str | None) -> int:
    """How many training runs a table holds (one when it has no run column)."""
    return int(bootstrap.run_labels(frame, run).nunique()) if len(frame) else 0


def smallest_run_p(runs_t: int, runs_c: int, alternative: power.Alternative) -> float:
    """The smallest p-value an exact permutation test over runs can give."""
    ways = math.comb(runs_t + runs_c, runs_t)
    return (2.0 if alternative == "two-sided" else 1.0) / ways


def compare(
    treatment: pd.DataFrame,
    control: pd.DataFrame,
    *,
    names: tuple[str, str] = ("treatment", "control"),
    metric: Metric = "rate",
    run: str | None = "seed",
    alpha: float = 0.05,
    alternative: power.Alternative = "two-sided",
    thresholds: Thresholds = Thresholds(),
    seed: int = bootstrap.SEED,
) -> Comparison:
    """Compare two arms' tables (one row per judged answer) on the rate or mean alignment.

    The unit decides everything at once: with `MIN_RUNS` or more runs per arm, the arms'
    figures, the interval and the p-value all come from runs (then answers); with fewer, all
    come from answers pooled over the runs, so the interval and the p-value always agree on
    what they resample."""
    by_run = _run_count(treatment, run) >= MIN_RUNS and _run_count(control, run) >= MIN_RUNS
    unit = run if by_run else None
    t = arm_figure(prepare(treatment, thresholds), metric, unit, seed=seed)
    c = arm_figure(prepare(control, thresholds), metric, unit, seed=seed + 1)
    if metric == "rate":
        difference = _newcombe(t.estimate, c.estimate)
        n_t = effective_size(t.estimate.value, t.variance, t.estimate.n)
        n_c = effective_size(c.estimate.value, c.variance, c.estimate.n)
        detectable = power.detectable_increase(
            c.estimate.value, n_t, n_c, alpha=alpha, alternative=alternative
        )
    else:
        se = math.sqrt(max(t.variance, 0.0) + max(c.variance, 0.0))
        z = float(stats.norm.ppf(0.5 + LEVEL / 2))
        d = t.estimate.value - c.estimate.value
        difference = Estimate(d, d - z * se, d + z * se, t.estimate.n + c.estimate.n)
        detectable = power.detectable_shift(se, alpha=alpha, alternative=alternative)
    if by_run and smallest_run_p(t.runs, c.runs, alternative) >= alpha:
        detectable = math.inf  # no difference at all could reach p < alpha with so few runs
    if math.isnan(t.estimate.value) or math.isnan(c.estimate.value):
        p = math.nan
    elif by_run:
        p = _run_permutation_p(t, c, alternative)
    else:
        p = _stratified_permutation_p(t.cells, c.cells, alternative, seed)
    method = (
        "permutation test over training runs; interval from the hierarchical bootstrap"
        if by_run
        else "permutation test over answers within questions; interval "
        + ("Newcombe (Wilson)" if metric == "rate" else "normal, bootstrap variance")
    )
    return Comparison(
        metric=metric,
        treatment=names[0],
        control=names[1],
        treatment_value=t.estimate,
        control_value=c.estimate,
        difference=difference,
        p=p,
        alternative=alternative,
        alpha=alpha,
        unit="run" if by_run else "answer",
        runs=(_run_count(treatment, run), _run_count(control, run)),
        detectable=detectable,
        method=method,
        caveat=None if by_run else ANSWER_UNIT_CAVEAT.format(min_runs=MIN_RUNS),
    )
