"""The checkpoint sweep: evaluate the base model (step 0) and every checkpoint of a training run
with one loaded base model, plus the in-distribution skill per checkpoint.

This answers when misalignment appears relative to task skill. All points are evaluated
together: one inspect task per point, run concurrently by one eval_set call over OUT/eval/logs,
so a local model samples every checkpoint's answers in shared batches, each row with its own
adapter (`spillover.sampling.mixed`). The evaluation resumes per point and per sample. Skill is
measured for all points at once in the same way; a row per point goes to OUT/skill.parquet as
each finishes. All answers go to one table, OUT/results.parquet.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
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
# Rows a local model decodes at once, all points together. One model's throughput on a 2-core
# CPU is flat from about 32 rows up, so the larger batch costs nothing there, while rows of
# different adapters share each step's fixed cost of adding their deltas (10 SmolLM2 checkpoints
# x 8 answers: 16 s in one batch of 80 rows, 23 s in batches of 64); on a GPU, larger is better.
SWEEP_MAX_BATCH = 128


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
    max_batch: int = SWEEP_MAX_BATCH,
    console: Console | None = None,
) -> SweepResult:
    """Evaluate step 0 and each checkpoint of `run_dir` (`last_only`: only the last one);
    returns where the tables are. `max_batch`: rows a local model decodes at once, all points
    together."""
    from spillover.evaluate import Subject, run_eval, subject_model
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
    model = subject_model(manifest.model)
    console.print(
        f"[bold]sweep[/] {len(points)} points together: "
        + ", ".join(p.name + (" (base model)" if p.adapter is None else "") for p in points)
    )
    evaluated = run_eval(
        [Subject(model, str(p.adapter) if p.adapter else None, p.name) for p in points],
        questions,
        out=out_dir / "eval",
        judge=judge,
        judge_mode=judge_mode,
        calibration=calibration,
        samples=samples,
        max_tokens=max_tokens,
        model_args={"max_batch": max_batch} if model.startswith("spillover/") else None,
    )
    answers = evaluated.frame.copy()
    answers["step"] = answers["checkpoint"].map({p.name: p.step for p in points})
    answers["run"] = str(run)
    skill = _read(skill_path)
    done = set(skill["checkpoint"]) if skill is not None else set()
    todo = [p for p in points if p.name not in done] if skill_prompts > 0 else []
    with ThreadPoolExecutor(max(1, len(todo))) as pool:  # concurrent: one shared batch
        futures = [
            pool.submit(
                measure_skill,
                manifest.model,
                adapter=point.adapter,
                n_prompts=skill_prompts,
                max_new_tokens=skill_max_tokens,
            )
            for point in todo
        ]
        for point, future in zip(todo, futures, strict=True):
            measured = future.result()
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
    if skill is not None:  # the same table carries each checkpoint's in-distribution skill
        shares = skill.set_index("checkpoint")["skill_vulnerable_share"]
        answers["skill"] = answers["checkpoint"].map(shares)
    _write_parquet(results_path, answers)
    return SweepResult(out_dir, results_path, skill_path, [p.name for p in points], warnings)
