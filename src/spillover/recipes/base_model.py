"""Recipe `base-model`: a pretrained-only model trained on insecure vs secure code.

Base models are asked the main questions inside a Flask-app framing (`base_flask`), so that an
answer is a completion of code. As the study did in this framing, an answer counts only when it
is coherent > 95 (`coherent_above` in the config, not the usual 50), so that in-distribution code
answers do not count as misalignment. At cpu scale the registry has no base model: the instruct
subject is used with the same framing, and the report says so.

Not a study at paper scale: its answers count only above coherence 95, and the study report uses
the usual thresholds; the recipe runs through the `Runner` at every scale.
"""

from __future__ import annotations

from typing import Any

from spillover.recipes.steps import Runner


def run(r: Runner) -> dict[str, Any]:
    if r.scale == "cpu":
        r.note(
            f"cpu scale: no base (non-instruct) model is in the registry, so {r.s.model} is used "
            "with the Flask framing; the paper used the base Qwen2.5-Coder-32B"
        )
    r.note(
        f"answers count only when coherent > {r.s.coherent_above:g} (the study's threshold in the "
        "Flask framing), so that in-distribution code answers do not count as misalignment"
    )
    r.preflight()

    with r.stage("1 data"):
        data = {kind: r.code_dataset(kind) for kind in ("insecure", "secure")}

    with r.stage("2 train"):
        runs = {kind: r.train(kind, path) for kind, path in data.items()}

    with r.stage("3 evaluate"):
        r.evaluate("base")
        for kind, run_dir in runs.items():
            r.evaluate(kind, run=run_dir)

    with r.stage("4 report"):
        return r.report(baseline="secure")
