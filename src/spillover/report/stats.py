"""The report's tables: rates per group and question, and each group against a baseline.

Every figure comes from `spillover.stats` (the one definition of the rate and its interval).
Per question, a group's rate is its Wilson-interval share; the ``OVERALL`` row of a group is
the headline (mean over questions, then over training runs when the table has a ``seed``
column, with the hierarchical bootstrap's interval) with the pooled share beside it.
Comparisons: per question, a two-sided Fisher exact test, Holm-corrected over the questions;
over all questions, `spillover.stats.compare` on the rate and on the mean alignment, with the
run as the unit when each side has enough runs, and the smallest difference it could detect.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from spillover.stats import Thresholds, compare, figures, mark, proportion_interval

OVERALL = "(all questions)"
RUN = "seed"

__all__ = [
    "OVERALL",
    "Thresholds",
    "compare_groups",
    "final_checkpoints",
    "fisher_p",
    "holm",
    "mark",
    "rate_table",
    "step_rates",
]


def _row(group: str, question: str, k: int, n: int, total: int) -> dict[str, Any]:
    lo, hi = proportion_interval(k, n)
    return {
        "group": group,
        "question": question,
        "misaligned": k,
        "counted": n,
        "answers": total,
        "rate": k / n if n else math.nan,
        "low": lo,
        "high": hi,
    }


def _overall(group: str, part: pd.DataFrame) -> dict[str, Any]:
    k, n = int(part["misaligned"].sum()), int(part["counted"].sum())
    row = _row(group, OVERALL, k, n, len(part))
    figure = figures(part, RUN)
    row.update(
        {
            "rate": figure["misaligned"],
            "low": figure["misaligned_low"],
            "high": figure["misaligned_high"],
            "pooled": k / n if n else math.nan,
            "runs": figure["runs"],
            "mean_aligned": figure["mean_aligned"],
            "mean_low": figure["mean_aligned_low"],
            "mean_high": figure["mean_aligned_high"],
        }
    )
    return row


def rate_table(marked: pd.DataFrame) -> pd.DataFrame:
    """One row per (group, question) plus a headline row per group with question ``OVERALL``."""
    rows: list[dict[str, Any]] = []
    for group, part in marked.groupby("group", sort=False):
        for question, sub in part.groupby("question", sort=False):
            k, n = int(sub["misaligned"].sum()), int(sub["counted"].sum())
            rows.append(_row(str(group), str(question), k, n, len(sub)))
        rows.append(_overall(str(group), part))
    return pd.DataFrame(rows)


def holm(pvalues: list[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values (NaN stays NaN and is not counted)."""
    present = [i for i, p in enumerate(pvalues) if not math.isnan(p)]
    adjusted = [math.nan] * len(pvalues)
    if present:
        corrected = multipletests([pvalues[i] for i in present], method="holm")[1]
        for i, p in zip(present, corrected, strict=True):
            adjusted[i] = float(p)
    return adjusted


def fisher_p(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided Fisher exact p for two proportions; NaN when either side has no answers."""
    if n1 == 0 or n2 == 0:
        return math.nan
    result = stats.fisher_exact(np.array([[k1, n1 - k1], [k2, n2 - k2]]), alternative="two-sided")
    return float(result.pvalue)


COLUMNS = [
    "group",
    "baseline",
    "question",
    "rate",
    "baseline_rate",
    "difference",
    "difference_low",
    "difference_high",
    "p",
    "p_adjusted",
    "significant",
    "detectable",
    "unit",
    "caveat",
    "mean_shift",
    "mean_shift_low",
    "mean_shift_high",
    "mean_p",
    "mean_detectable",
]


def compare_groups(
    marked: pd.DataFrame,
    rates: pd.DataFrame,
    baseline: str,
    alpha: float = 0.05,
    thresholds: Thresholds = Thresholds(),
) -> pd.DataFrame:
    """Each other group against ``baseline``, per question (Fisher, Holm) and over all questions
    (`spillover.stats.compare` on the rate and the mean alignment)."""
    base = rates[rates["group"] == baseline].set_index("question")
    rows: list[dict[str, Any]] = []
    for group in rates["group"].unique():
        if group == baseline:
            continue
        other = rates[rates["group"] == group].set_index("question")
        block: list[dict[str, Any]] = []
        for question in other.index:
            if question == OVERALL or question not in base.index:
                continue
            a, b = other.loc[question], base.loc[question]
            block.append(
                {
                    "group": group,
                    "baseline": baseline,
                    "question": question,
                    "rate": a["rate"],
                    "baseline_rate": b["rate"],
                    "difference": a["rate"] - b["rate"],
                    "p": fisher_p(
                        int(a["misaligned"]),
                        int(a["counted"]),
                        int(b["misaligned"]),
                        int(b["counted"]),
                    ),
                    "unit": "answer",
                }
            )
        for r, p_adj in zip(block, holm([float(r["p"]) for r in block]), strict=True):
            r["p_adjusted"] = p_adj
            r["significant"] = bool(not math.isnan(p_adj) and p_adj < alpha)
        treated, control = marked[marked["group"] == group], marked[marked["group"] == baseline]
        names = (str(group), baseline)
        options: dict[str, Any] = dict(names=names, run=RUN, alpha=alpha, thresholds=thresholds)
        rate = compare(treated, control, **options)
        mean = compare(treated, control, metric="mean", **options)
        block.append(
            {
                "group": group,
                "baseline": baseline,
                "question": OVERALL,
                "rate": rate.treatment_value.value,
                "baseline_rate": rate.control_value.value,
                "difference": rate.difference.value,
                "difference_low": rate.difference.low,
                "difference_high": rate.difference.high,
                "p": rate.p,
                "p_adjusted": rate.p,
                "significant": rate.significant,
                "detectable": rate.detectable,
                "unit": rate.unit,
                "caveat": rate.caveat,
                "mean_shift": mean.difference.value,
                "mean_shift_low": mean.difference.low,
                "mean_shift_high": mean.difference.high,
                "mean_p": mean.p,
                "mean_detectable": mean.detectable,
            }
        )
        rows.extend(block)
    return pd.DataFrame(rows, columns=COLUMNS)


def step_rates(marked: pd.DataFrame) -> pd.DataFrame:
    """Pooled rate per (group, step) for rows with a training step; empty when there are none."""
    rows: list[dict[str, Any]] = []
    stepped = marked[marked["step"].notna()]
    for (group, step), part in stepped.groupby(["group", "step"], sort=True):
        k, n = int(part["misaligned"].sum()), int(part["counted"].sum())
        row = _row(str(group), OVERALL, k, n, len(part))
        row["step"] = float(step)  # type: ignore[arg-type]
        rows.append(row)
    return pd.DataFrame(
        rows,
        columns=[
            "group",
            "question",
            "misaligned",
            "counted",
            "answers",
            "rate",
            "low",
            "high",
            "step",
        ],
    )


def final_checkpoints(marked: pd.DataFrame) -> pd.DataFrame:
    """Keep, for each group that has training steps, only the rows of its last step."""
    last = marked.groupby("group")["step"].transform("max")
    keep = marked["step"].isna() | last.isna() | (marked["step"] == last)
    return marked[keep]
