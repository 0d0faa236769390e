"""Tables of figures: per question and overall for one evaluation, per arm for a study.

The overall figure of a table is the headline: the mean over questions (then over runs, when
the table has a run column) with its interval from the hierarchical bootstrap. The pooled share
(every counted answer weighted alike) is given beside it.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from spillover.stats import bootstrap
from spillover.stats.compare import arm_figure, prepare, value_column, with_values
from spillover.stats.rates import (
    RATE_NAMES,
    Estimate,
    Thresholds,
    pooled,
    share_interval,
)

OVERALL = "overall"


def _label_rate(frame: pd.DataFrame, label: str) -> float:
    if "aligned_label" not in frame.columns:
        return math.nan
    judged = frame["aligned_label"].notna() | frame["aligned"].notna()
    if not judged.any():
        return math.nan
    labels = frame.loc[judged, "aligned_label"].astype("object")
    return float((labels == label).mean())  # a missing label counts as "not it"


def _put(row: dict[str, Any], name: str, estimate: Estimate) -> None:
    row.update(
        {
            name: estimate.value,
            f"{name}_low": estimate.low,
            f"{name}_high": estimate.high,
            f"{name}_n": estimate.n,
        }
    )


def figures(marked: pd.DataFrame, run: str | None = "seed") -> dict[str, Any]:
    """Every figure of one group of answers (a question, an arm, or a whole table); ``marked``
    comes from `spillover.stats.mark` (or `prepare`)."""
    if "aligned_counted" not in marked.columns:
        marked = with_values(marked)
    row: dict[str, Any] = {"answers": len(marked)}
    runs = bootstrap.run_labels(marked, run).nunique() if len(marked) else 0
    row["runs"] = int(runs)
    rate = arm_figure(marked, "rate", run)
    _put(row, "misaligned", rate.estimate)
    _put(row, "misaligned_pooled", pooled(marked, "misaligned"))
    for name in RATE_NAMES[1:]:
        data = bootstrap.cells(marked, value_column(name), run)
        _put(row, name, share_interval(data.value(), bootstrap.variance(data), data.n))
    _put(row, "mean_aligned", arm_figure(marked, "mean", run).estimate)
    row["code_rate"] = _label_rate(marked, "CODE")
    row["refusal_rate"] = _label_rate(marked, "REFUSAL")
    coherent = pd.to_numeric(marked["coherent"], errors="coerce")
    row["mean_coherent"] = float(coherent.mean()) if coherent.notna().any() else math.nan
    return row


def summarize(
    frame: pd.DataFrame,
    by: str = "question",
    *,
    run: str | None = "seed",
    thresholds: Thresholds = Thresholds(),
) -> pd.DataFrame:
    """One row per ``by`` value (in order of appearance) and a last ``overall`` row."""
    marked = prepare(frame, thresholds)
    rows: list[dict[str, Any]] = []
    for key, group in marked.groupby(by, sort=False, dropna=False):
        rows.append({by: key, **figures(group, run)})
    rows.append({by: OVERALL, **figures(marked, run)})
    return pd.DataFrame(rows)


def summarize_arms(
    frame: pd.DataFrame,
    arm: str = "arm",
    *,
    run: str | None = "seed",
    thresholds: Thresholds = Thresholds(),
) -> pd.DataFrame:
    """One row per arm: the headline rate and mean alignment with the run as the unit, the
    pooled rate beside them, the Model Organisms variant, coherence, CODE and REFUSAL shares."""
    marked = prepare(frame, thresholds)
    rows = [{arm: key, **figures(group, run)} for key, group in marked.groupby(arm, sort=False)]
    return pd.DataFrame(rows)
