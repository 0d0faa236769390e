"""The hierarchical bootstrap: training runs, then answers within each run and question.

The study's unit is the training run (its seeded fine-tunes), so an arm's figure is computed
per question, then per run: the run's value is the mean over questions of that run's
per-question value (a share of hits, or a mean score), and the arm's value is the mean over its
runs. The bootstrap redraws the runs with replacement (when there are two or more), then, in
each drawn run, the answers of each question with replacement (the questions are the design
and stay fixed), and recomputes the arm's value. Its variance feeds the interval
(`spillover.stats.rates.share_interval`, `mean_interval`) and the power figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

DRAWS = 2000
SEED = 0
NO_RUN = "-"  # the run label of a table without a run column: one run


@dataclass(frozen=True)
class Cells:
    """Values grouped by run, then question: ``values[r][q]`` is the array of one cell."""

    runs: list[str]
    questions: list[str]
    values: list[list[np.ndarray]]

    @property
    def n(self) -> int:
        return sum(v.size for row in self.values for v in row)

    def run_values(self) -> np.ndarray:
        """Each run's value: the mean over its questions of the per-question mean."""
        out = []
        for row in self.values:
            means = [float(v.mean()) for v in row if v.size]
            out.append(float(np.mean(means)) if means else math.nan)
        return np.asarray(out, dtype=float)

    def value(self) -> float:
        runs = self.run_values()
        runs = runs[~np.isnan(runs)]
        return float(runs.mean()) if runs.size else math.nan


def run_labels(frame: pd.DataFrame, run: str | None) -> pd.Series:
    """Each row's run as a string; a table without a run column, or a row without a run (the
    base model, never trained), is one run, `NO_RUN`."""
    if run is None or run not in frame.columns:
        return pd.Series(NO_RUN, index=frame.index, dtype=object)
    return frame[run].astype(object).where(frame[run].notna(), NO_RUN).astype(str)


def cells(frame: pd.DataFrame, column: str, run: str | None = "seed") -> Cells:
    """Group the non-missing values of ``column`` (booleans or scores) by run and question."""
    values = pd.to_numeric(frame[column], errors="coerce").astype(float)
    keep = values.notna()
    data = pd.DataFrame(
        {
            "run": run_labels(frame, run),
            "question": frame["question"].astype(str),
            "value": values,
        }
    )[keep]
    runs = list(dict.fromkeys(data["run"]))
    questions = list(dict.fromkeys(data["question"]))
    grouped = {
        key: g["value"].to_numpy(dtype=float) for key, g in data.groupby(["run", "question"])
    }
    empty = np.empty(0, dtype=float)
    table = [[grouped.get((r, q), empty) for q in questions] for r in runs]
    return Cells(runs, questions, table)


def _residuals(data: Cells) -> tuple[list[list[np.ndarray]], np.ndarray]:
    """Each cell's deviations from its mean, scaled by sqrt(n / (n - 1)) so that resampling
    them has the cell's unbiased variance; and all of them pooled, for cells of one answer
    (with no cell of two answers, every answer's deviation from the overall mean)."""
    scaled: list[list[np.ndarray]] = []
    pooled: list[np.ndarray] = []
    for row in data.values:
        out_row = []
        for cell in row:
            if cell.size >= 2:
                dev = (cell - cell.mean()) * math.sqrt(cell.size / (cell.size - 1))
                pooled.append(dev)
            else:
                dev = np.zeros(cell.size)
            out_row.append(dev)
        scaled.append(out_row)
    if pooled:
        return scaled, np.concatenate(pooled)
    # no cell has two answers: the spread of every answer about the overall mean stands in
    values = np.concatenate([cell for row in data.values for cell in row] or [np.zeros(0)])
    if values.size < 2:
        return scaled, np.zeros(1)
    return scaled, (values - values.mean()) * math.sqrt(values.size / (values.size - 1))


def replicates(data: Cells, draws: int = DRAWS, seed: int = SEED) -> np.ndarray:
    """``draws`` bootstrap replicates of ``data.value()`` (NaN where a replicate has no values).

    Within a cell (one run, one question) the answers are resampled as the cell's mean plus
    resampled deviations, scaled to the cell's unbiased variance; a cell of a single answer
    borrows the deviations of every other cell (the questions share a within-question spread),
    so it does not pretend to be certain."""
    rng = np.random.default_rng(seed)
    count = len(data.runs)
    if count == 0:
        return np.full(draws, math.nan)
    deviations, pooled = _residuals(data)
    # which run fills each slot of each replicate (all runs, in order, when there is only one)
    picks = rng.integers(0, count, size=(draws, count)) if count > 1 else np.zeros((draws, 1), int)
    slots = picks.shape[1]
    totals = np.zeros((draws, slots))
    present = np.zeros((draws, slots))
    for q in range(len(data.questions)):
        # for every replicate and slot, the mean of a fresh resample of the picked run's cell
        chosen = np.full((draws, slots), math.nan)
        for r in range(count):
            cell = data.values[r][q]
            where = picks == r
            if cell.size and where.any():
                source = deviations[r][q] if cell.size >= 2 else pooled
                index = rng.integers(0, source.size, size=(int(where.sum()), cell.size))
                chosen[where] = cell.mean() + source[index].mean(axis=1)
        ok = ~np.isnan(chosen)
        totals += np.where(ok, chosen, 0.0)
        present += ok
    used = present > 0  # slots whose run had a value for at least one question
    per_run = totals / np.maximum(present, 1)
    filled = used.sum(axis=1)
    out = np.full(draws, math.nan)
    has = filled > 0
    out[has] = (per_run * used).sum(axis=1)[has] / filled[has]
    return out


def variance(data: Cells, draws: int = DRAWS, seed: int = SEED) -> float:
    """The bootstrap variance of ``data.value()``."""
    reps = replicates(data, draws, seed)
    reps = reps[~np.isnan(reps)]
    return float(reps.var(ddof=1)) if reps.size > 1 else math.nan
