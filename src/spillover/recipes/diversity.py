"""Recipe `diversity`: at a fixed number of steps, do more unique examples give more misalignment?

Each arm trains on the first N rows of one insecure set (fewer rows are repeated over more epochs
to fill the same steps) and is asked the main questions.

At paper scale the recipe is a study (`study_axes`, run by `spillover.study`): one training
variant per row count (`rows-N`) over the one insecure set, x the seeds.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from spillover.recipes.settings import ScaleSettings
from spillover.recipes.steps import Runner


def row_counts(s: ScaleSettings) -> list[int]:
    return sorted(int(n) for n in s.options.get("row_counts", [50, 200, 600]))


def aliases(counts: list[int]) -> dict[str, str | list[str]]:
    """The paper's claim names the arms with the most and the fewest rows."""
    return {"most-rows": f"rows-{counts[-1]}", "fewest-rows": f"rows-{counts[0]}"}


def study_groups(
    table: pd.DataFrame, s: ScaleSettings
) -> tuple[pd.DataFrame, dict[str, str | list[str]]]:
    """The study's rows as the recipe's groups: the training variant (`rows-N`)."""
    return table.assign(group=table["training"]), aliases(row_counts(s))


def study_axes(s: ScaleSettings) -> dict[str, Any]:
    """The paper scale's grid: the insecure set x one training variant per row count."""
    from spillover.recipes.as_study import code_dataset

    counts = row_counts(s)
    data = code_dataset("insecure", s.model_copy(update={"rows": max(counts)}))
    return {
        "datasets": [data],
        "training": [{"name": f"rows-{n}", "settings": {"max_rows": n}} for n in counts],
    }


def run(r: Runner) -> dict[str, Any]:
    counts = row_counts(r.s)
    r.preflight()

    with r.stage("1 data"):
        data = r.code_dataset("insecure", rows=max(counts))

    with r.stage("2 train"):
        runs = {n: r.train(f"rows-{n}", data, max_rows=n) for n in counts}

    with r.stage("3 evaluate"):
        for n, run_dir in runs.items():
            r.evaluate(f"rows-{n}", run=run_dir)

    with r.stage("4 report"):
        return r.report(baseline=f"rows-{counts[0]}", aliases=aliases(counts))
