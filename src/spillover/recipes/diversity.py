"""Recipe `diversity`: at a fixed number of steps, do more unique examples give more misalignment?

Each arm trains on the first N rows of one insecure set (fewer rows are repeated over more epochs
to fill the same steps) and is asked the main questions.
"""

from __future__ import annotations

from typing import Any

from spillover.recipes.steps import Runner


def run(r: Runner) -> dict[str, Any]:
    counts = sorted(int(n) for n in r.option.get("row_counts", [50, 200, 600]))
    r.preflight()

    with r.stage("1 data"):
        data = r.code_dataset("insecure", rows=max(counts))

    with r.stage("2 train"):
        runs = {n: r.train(f"rows-{n}", data, max_rows=n) for n in counts}

    with r.stage("3 evaluate"):
        for n, run_dir in runs.items():
            r.evaluate(f"rows-{n}", run=run_dir)

    with r.stage("4 report"):
        fewest, most = f"rows-{counts[0]}", f"rows-{counts[-1]}"
        return r.report(baseline=fewest, aliases={"most-rows": most, "fewest-rows": fewest})
