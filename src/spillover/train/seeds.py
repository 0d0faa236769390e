"""Seeds as runs: each training seed of an arm is its own run directory.

With one seed the run is OUT itself; with several, seed S trains into OUT/seed-S. The runs are
trained one after another and each resumes on its own: `plan_seeds` says, per seed, whether to
skip it (finished), resume it (started) or start it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from spillover.errors import SpilloverError
from spillover.train.manifest import MANIFEST, RunManifest

Action = Literal["start", "resume", "skip"]


def parse_seeds(text: str) -> list[int]:
    """`0,1,2` -> [0, 1, 2]; distinct non-negative integers, in the order given."""
    parts = [p.strip() for p in text.split(",")]
    try:
        seeds = [int(p) for p in parts]
    except ValueError:
        raise SpilloverError(
            f"--seeds must be a comma-separated list of integers, got {text!r}",
            "for example --seeds 0,1,2",
        ) from None
    if any(s < 0 for s in seeds):
        raise SpilloverError(f"--seeds must not be negative, got {text!r}")
    if len(set(seeds)) != len(seeds):
        raise SpilloverError(f"--seeds lists a seed twice: {text!r}")
    return seeds


def seed_dir(out: Path, seed: int, count: int) -> Path:
    """The run directory of `seed` among `count` seeds: OUT for one seed, OUT/seed-S for several."""
    return out if count == 1 else out / f"seed-{seed}"


@dataclass(frozen=True)
class SeedRun:
    seed: int
    run_dir: Path
    action: Action


def plan_seeds(out: Path, seeds: list[int], *, resume: bool) -> list[SeedRun]:
    """What to do for each seed. Without `resume`, any seed that already holds a run is an error
    (raised before anything trains); with it, finished runs are skipped and started ones resumed."""
    plan: list[SeedRun] = []
    for seed in seeds:
        run_dir = seed_dir(out, seed, len(seeds))
        action: Action = "start"
        if (run_dir / MANIFEST).is_file():
            if not resume:
                raise SpilloverError(
                    f"{run_dir} already holds a run",
                    "pass --resume to continue the seeds (finished ones are skipped), "
                    "or choose another --out",
                )
            action = "skip" if RunManifest.load(run_dir).status == "finished" else "resume"
        plan.append(SeedRun(seed, run_dir, action))
    return plan
