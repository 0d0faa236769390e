"""Recipe `dynamics`: when does misalignment appear during training, relative to task skill?

Insecure and secure runs save a checkpoint every few steps; the sweep evaluates step 0 (the base
model) and every checkpoint on the main questions and measures the in-distribution skill (share
of held-out code answers with a flaw). For each curve we report the first step at which it
reaches half of its final value ("never" when it does not rise above zero).

At paper scale the recipe is a study (`study_axes`, run by `spillover.study`): a cell per arm and
training seed, each sweeping step 0 and every checkpoint with the skill task; the study report
draws the dynamics per seed.
"""

from __future__ import annotations

from typing import Any

from spillover.recipes.analysis import describe_half, half_step
from spillover.recipes.settings import ScaleSettings
from spillover.recipes.steps import Runner

ARMS = ("insecure", "secure")


def study_axes(s: ScaleSettings) -> dict[str, Any]:
    """The paper scale's grid: both arms x the seeds, every checkpoint swept."""
    from spillover.recipes.as_study import code_dataset

    return {
        "datasets": [code_dataset(kind, s) for kind in ARMS],
        "evaluate": {
            "what": "sweep",
            "include_base": True,
            "skill_prompts": int(s.options.get("skill_prompts", 8)),
            "skill_max_tokens": s.max_tokens,
        },
        "control": "secure",
    }


def half_way(r: Runner) -> dict[str, str]:
    """Half-of-final steps for misalignment and skill, per arm."""
    from spillover.report.stats import mark, step_rates

    rates = step_rates(mark(r.results()))
    out: dict[str, str] = {}
    for group, part in rates.groupby("group"):
        part = part.sort_values("step")
        final = float(part["rate"].iloc[-1])
        out[f"{group}: misalignment"] = (
            f"{describe_half(half_step(part['step'].tolist(), part['rate'].tolist()))} (final {final:.1%})"
        )
    for skill in r.skill:
        skill = skill.sort_values("step")
        final = float(skill["skill_vulnerable_share"].iloc[-1])
        steps, shares = skill["step"].tolist(), skill["skill_vulnerable_share"].tolist()
        out[f"{skill['group'].iloc[0]}: vulnerable code (skill)"] = (
            f"{describe_half(half_step(steps, shares))} (final {final:.0%})"
        )
    return out


def run(r: Runner) -> dict[str, Any]:
    r.preflight()

    with r.stage("1 data"):
        data = {kind: r.code_dataset(kind) for kind in ARMS}

    with r.stage("2 train"):
        runs = {kind: r.train(kind, path) for kind, path in data.items()}

    with r.stage("3 sweep"):
        for kind, run_dir in runs.items():
            r.sweep(kind, run_dir)

    with r.stage("4 report"):
        if not r.dry_run:
            r.extra_info["first step at half of the final value"] = half_way(r)
        return r.report(baseline="secure")
