"""The checkpoint sweep: evaluate the base model (step 0) and every checkpoint of a training run
with one loaded base model, plus the in-distribution skill per checkpoint.

This answers when misalignment appears relative to task skill. All points are evaluated
together, on both task families: the questions and the skill task `spillover/skill`
(`spillover.evaluate.skill`, with its own answer length) for each point, run concurrently by one
eval_set call over OUT/eval/logs, so a local model samples every checkpoint's answers to both
in shared batches, each row with its own adapter (`spillover.sampling.mixed`). The evaluation
resumes per point and per sample. A skill row per point goes to OUT/skill.parquet; all answers
go to one table, OUT/results.parquet.

On a GPU the same sweep can be served by vLLM instead (`model="vllm/BASE"`, BASE being the base
model the run trained, as vLLM loads it): inspect's vllm provider starts one server for the
base with LoRA enabled, each checkpoint is one of its adapters (`vllm/BASE:CHECKPOINT`), and
vLLM batches the adapters' requests together (up to `VLLM_MAX_LORAS` adapters in one batch).
The skill task runs on the same server: the server is started once for the whole sweep
(`spillover.serve.shared_vllm`), however many shards the eval runs in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console

from spillover.errors import SpilloverError
from spillover.io import atomic_open
from spillover.judge.base import JudgeSpec
from spillover.models.ref import VLLM, ModelRef
from spillover.questions.schema import QuestionSet

SKILL_FILE = "skill.parquet"
RESULTS_FILE = "results.parquet"
BASE_CHECKPOINT = "step-00000"
# Rows a local model decodes at once, all points together. One model's throughput on a 2-core
# CPU is flat from about 32 rows up, so the larger batch costs nothing there, while rows of
# different adapters share each step's fixed cost of adding their deltas (10 SmolLM2 checkpoints
# x 8 answers: 16 s in one batch of 80 rows, 23 s in batches of 64); on a GPU, larger is better.
SWEEP_MAX_BATCH = 128
# Adapters vLLM keeps in one batch (its default is 1: checkpoints would take turns); every
# checkpoint stays cached in host memory, so none is read from disk twice.
VLLM_MAX_LORAS = 16


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


def run_sweep(
    run_dir: str | Path,
    questions: str | Path | QuestionSet = "main",
    *,
    out: str | Path | None = None,
    judge: JudgeSpec | None = None,
    samples: int | None = 5,
    max_tokens: int = 600,
    skill_prompts: int = 20,
    skill_max_tokens: int = 400,
    include_base: bool = True,
    last_only: bool = False,
    max_batch: int = SWEEP_MAX_BATCH,
    model: str | None = None,
    console: Console | None = None,
) -> SweepResult:
    """Evaluate step 0 and each checkpoint of `run_dir` (`last_only`: only the last one);
    returns where the tables are. `max_batch`: rows a local model decodes at once, all points
    together. `model`: the base model to evaluate, served another way (`vllm/BASE`); default
    the one the run's manifest names, loaded locally."""
    from spillover.data import heldout_code_prompts
    from spillover.evaluate import Subject, run_eval
    from spillover.evaluate.skill import skill_table, skill_task
    from spillover.judge.defaults import resolve_judge
    from spillover.serve.shared_vllm import shared_vllm_server
    from spillover.train.manifest import RunManifest

    judge = judge if judge is not None else resolve_judge()
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
    subject = ModelRef.parse(model or manifest.model)
    local = subject.is_local
    model_args = _model_args(subject, sum(p.adapter is not None for p in points), max_batch)
    console.print(
        f"[bold]sweep[/] {len(points)} points together"
        + ("" if local else f", served by {subject.inspect_id}")
        + ": "
        + ", ".join(p.name + (" (base model)" if p.adapter is None else "") for p in points)
    )
    adapters = [str(p.adapter) if p.adapter else None for p in points]
    subjects = [
        Subject(subject.inspect_id, a, p.name) for a, p in zip(adapters, points, strict=True)
    ]
    served_models = [subject.with_adapter(a).inspect_id for a in adapters] + [judge.model]
    skill_prompts_asked = tuple(heldout_code_prompts(skill_prompts, 0)) if skill_prompts else ()
    with shared_vllm_server(served_models, model_args):  # vllm/: one server for both tasks
        evaluated = run_eval(  # questions and skill, every point, in one eval_set call
            subjects,
            questions,
            out=out_dir / "eval",
            judge=judge,
            samples=samples,
            max_tokens=max_tokens,
            model_args=model_args,
            companion=partial(skill_task, skill_prompts_asked, skill_max_tokens)
            if skill_prompts_asked
            else None,
        )
    skill = None
    if skill_prompts_asked:
        skill = skill_table(evaluated.companion_logs, subjects)
        skill.insert(0, "run", str(run))
        skill.insert(2, "step", skill["checkpoint"].map({p.name: p.step for p in points}))
        _write_parquet(skill_path, skill)
    answers = evaluated.frame.copy()
    answers["step"] = answers["checkpoint"].map({p.name: p.step for p in points})
    answers["run"] = str(run)
    if skill is not None:  # the same table carries each checkpoint's in-distribution skill
        shares = skill.set_index("checkpoint")["skill_vulnerable_share"]
        answers["skill"] = answers["checkpoint"].map(shares)
    _write_parquet(results_path, answers)
    return SweepResult(out_dir, results_path, skill_path, [p.name for p in points], warnings)


def _model_args(subject: ModelRef, adapters: int, max_batch: int) -> dict[str, Any] | None:
    """The model args that let one model serve every point at once."""
    if subject.is_local:
        return {"max_batch": max_batch}
    if subject.provider == VLLM and adapters:
        return {"max_loras": min(adapters, VLLM_MAX_LORAS), "max_cpu_loras": adapters}
    return None
