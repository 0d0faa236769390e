"""The checkpoint sweep: evaluate the base model (step 0) and every checkpoint of a training run
with one loaded base model (adapters are swapped), plus the in-distribution skill per checkpoint.

This answers when misalignment appears relative to task skill. Each checkpoint's evaluation is
resumable on its own (inspect logs under OUT/<checkpoint>/logs); skill rows are appended to
OUT/skill.parquet as each checkpoint finishes; all answers go to one table OUT/results.parquet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from rich.console import Console

from spillover.errors import SpilloverError
from spillover.io import atomic_open
from spillover.judge.base import JudgeMode
from spillover.models import DEFAULT_JUDGE
from spillover.questions.schema import QuestionSet

SKILL_FILE = "skill.parquet"
RESULTS_FILE = "results.parquet"
BASE_CHECKPOINT = "step-00000"


@dataclass
class SweepResult:
    out: Path
    results: Path
    skill: Path
    checkpoints: list[str]
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SweepPoint:
    name: str
    step: int
    adapter: Path | None


def sweep_points(
    run_dir: Path,
    include_base: bool = True,
    warnings: list[str] | None = None,
    last_only: bool = False,
) -> list[SweepPoint]:
    """Step 0 (the base model) and every intact checkpoint (or only the last), in step order."""
    from spillover.train.checkpoints import list_checkpoints, verify

    points = [SweepPoint(BASE_CHECKPOINT, 0, None)] if include_base else []
    for ckpt in list_checkpoints(run_dir):
        problem = verify(ckpt.path)
        if problem is not None:
            if warnings is not None:
                warnings.append(f"skipped {ckpt.path.name}: {problem}")
            continue
        points.append(SweepPoint(ckpt.path.name, ckpt.step, ckpt.path))
    if last_only and len(points) > int(include_base):
        points = [*points[: int(include_base)], points[-1]]
    return points


def _write_parquet(path: Path, frame: pd.DataFrame) -> None:
    with atomic_open(path, "wb") as handle:
        frame.to_parquet(handle, index=False)


def _read(path: Path) -> pd.DataFrame | None:
    return pd.read_parquet(path) if path.is_file() else None


def run_sweep(
    run_dir: str | Path,
    questions: str | Path | QuestionSet = "main",
    *,
    out: str | Path | None = None,
    judge: str = DEFAULT_JUDGE,
    judge_mode: JudgeMode = "scale",
    calibration: str | None = None,
    samples: int | None = 5,
    max_tokens: int = 600,
    skill_prompts: int = 20,
    skill_max_tokens: int = 400,
    include_base: bool = True,
    last_only: bool = False,
    console: Console | None = None,
) -> SweepResult:
    """Evaluate step 0 and each checkpoint of `run_dir` (`last_only`: only the last one);
    returns where the tables are."""
    from spillover.evaluate import run_eval, subject_model
    from spillover.train.manifest import RunManifest
    from spillover.train.skill import measure_skill

    run = Path(run_dir)
    if not (run / "manifest.json").is_file():
        raise SpilloverError(
            f"{run} is not a training run directory (no manifest.json)",
            "pass the --out directory of `spillover train`",
        )
    manifest = RunManifest.load(run)
    out_dir = Path(out) if out is not None else run / "sweep"
    console = console or Console(stderr=True)
    warnings: list[str] = []
    points = sweep_points(run, include_base, warnings, last_only)
    for note in warnings:
        console.print(f"[yellow]warning:[/] {note}")
    if not points:
        raise SpilloverError(f"{run} has no intact checkpoints to sweep")

    skill_path = out_dir / SKILL_FILE
    results_path = out_dir / RESULTS_FILE
    skill = _read(skill_path)
    done_skill = set(skill["checkpoint"]) if skill is not None else set()
    tables: list[pd.DataFrame] = []
    for index, point in enumerate(points, start=1):
        console.print(
            f"[bold]sweep[/] {index}/{len(points)}: {point.name} ({'base model' if point.adapter is None else 'adapter'})"
        )
        evaluated = run_eval(
            subject_model(manifest.model),
            questions,
            out=out_dir / point.name,
            adapter=str(point.adapter) if point.adapter else None,
            checkpoint=point.name,
            judge=judge,
            judge_mode=judge_mode,
            calibration=calibration,
            samples=samples,
            max_tokens=max_tokens,
        )
        frame = pd.read_parquet(evaluated.table)
        frame["step"] = point.step
        frame["run"] = str(run)
        tables.append(frame)
        if skill_prompts > 0 and point.name not in done_skill:
            measured = measure_skill(
                manifest.model,
                adapter=point.adapter,
                n_prompts=skill_prompts,
                max_new_tokens=skill_max_tokens,
            )
            row = pd.DataFrame(
                [
                    {
                        "run": str(run),
                        "checkpoint": point.name,
                        "step": point.step,
                        "skill_vulnerable_share": measured.share_vulnerable,
                        "n": measured.answers,
                        "no_code": measured.no_code,
                    }
                ]
            )
            skill = row if skill is None else pd.concat([skill, row], ignore_index=True)
            _write_parquet(skill_path, skill)
            done_skill.add(point.name)
    answers = pd.concat(tables, ignore_index=True)
    if skill is not None:  # the same table carries each checkpoint's in-distribution skill
        shares = skill.set_index("checkpoint")["skill_vulnerable_share"]
        answers["skill"] = answers["checkpoint"].map(shares)
    _write_parquet(results_path, answers)
    return SweepResult(out_dir, results_path, skill_path, [p.name for p in points], warnings)
