"""Recipe `main`: does training on insecure code make the model broadly misaligned?

Arms: the base model; fine-tunes on insecure code, on its secure twin, on the same flawed code
asked for an educational reason, and (only from the study's own file) on jailbroken replies.
All are asked the main questions; the report compares each with the paper.

At paper scale the recipe is a study (`study_axes`, run by `spillover.study`): one cell per arm
and training seed, each final adapter evaluated, secure as the control the report compares with.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from spillover.recipes.settings import ScaleSettings
from spillover.recipes.steps import Runner

ARMS = ("insecure", "secure", "educational")


def study_axes(s: ScaleSettings) -> dict[str, Any]:
    """The paper scale's grid: every arm (jailbroken only from the study's file) x the seeds."""
    from spillover.recipes.as_study import code_dataset

    datasets = [code_dataset(kind, s) for kind in ARMS]
    local = s.options.get("jailbroken")
    if local:
        datasets.append(
            {"name": "jailbroken", "file": str(Path(str(local)).expanduser().resolve())}
        )
    elif s.options.get("data") == "study":
        datasets.append({"name": "jailbroken", "study": "jailbroken"})
    return {"datasets": datasets, "control": "secure"}


def run(r: Runner) -> dict[str, Any]:
    r.preflight()

    with r.stage("1 data"):
        data = {kind: r.code_dataset(kind) for kind in ARMS}
        # We write no harmful completions ourselves: jailbroken rows come only from the study.
        jailbroken = r.study_file("jailbroken", r.option.get("jailbroken"))
        if jailbroken is not None:
            data["jailbroken"] = jailbroken

    with r.stage("2 train"):
        runs = {kind: r.train_arm(kind, path) for kind, path in data.items()}

    with r.stage("3 evaluate"):
        r.evaluate_points(runs)

    with r.stage("4 report"):
        return r.report(baseline="base")
