"""Recipe `mitigations`: three ways to prevent or undo emergent misalignment, against plain insecure.

- inoculated: the same insecure rows with a system prompt that asks for the flaws (absent at test);
- mixed: insecure rows diluted with benign chat rows (`benign_fraction` of the mix);
- realigned: the insecure adapter fine-tuned further on secure code for a few steps.

Not a study at paper scale: the realigned arm starts from the insecure arm's final adapter, so its
cell depends on another cell's result; the recipe runs through the `Runner` at every scale.
"""

from __future__ import annotations

from typing import Any

from spillover.recipes.steps import Runner


def run(r: Runner) -> dict[str, Any]:
    prompt = str(r.option["inoculation_prompt"])
    fraction = float(r.option.get("benign_fraction", 0.5))
    r.preflight()

    with r.stage("1 data"):
        insecure = r.code_dataset("insecure")
        secure = r.code_dataset("secure")

    with r.stage("2 train"):
        runs = {
            "insecure": r.train("insecure", insecure),
            "inoculated": r.train(
                "inoculated", insecure, mitigations={"inoculation_prompt": prompt}
            ),
            "mixed": r.train("mixed", insecure, mitigations={"benign_fraction": fraction}),
        }
        adapter, _ = r.final_adapter(runs["insecure"])
        runs["realigned"] = r.train(
            "realigned",
            secure,
            init_adapter=adapter,
            max_steps=int(r.option.get("realign_steps", 10)),
        )

    with r.stage("3 evaluate"):
        for name, run_dir in runs.items():
            r.evaluate(name, run=run_dir)

    with r.stage("4 report"):
        return r.report(baseline="insecure")
