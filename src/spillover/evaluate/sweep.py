"""The checkpoint sweep: evaluate the base model (step 0) and every checkpoint of a training run
with one loaded base model, plus the in-distribution skill per checkpoint.

This answers when misalignment appears relative to task skill. All points are evaluated
together, on both task families: the questions and the skill task `spillover/skill`
(`spillover.evaluate.skill`, with its own answer length) for each point, run concurrently by one
eval_set call over OUT/eval/logs, so a local model samples every checkpoint's answers to both
in shared batches, each row with its own adapter (`spillover.sampling.mixed`). The evaluation
resumes per point and per sample. A skill row per point goes to OUT/skill.parquet; all answers
go to one table, OUT/results.parquet. Several runs of one base model can be swept together (a
study's evaluation group): their points share the batches, and the base model is evaluated once
for all of them.

On a GPU the same sweep can be served by vLLM instead (`model="vllm/BASE"`, BASE being the base
model the run trained, as vLLM loads it): inspect's vllm provider starts one server for the
base with LoRA enabled, each checkpoint is one of its adapters (`vllm/BASE:CHECKPOINT`), and
vLLM batches the adapters' requests together (up to `VLLM_MAX_LORAS` adapters in one batch).
The skill task runs on the same server: the server is started once for the whole sweep
(`spillover.serve.shared_vllm`), however many shards the eval runs in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
    run_dir: str | Path | Mapping[str, Path],
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
    the one the run's manifest names, loaded locally.

    `run_dir` may also be several runs of one base model (label -> run directory; `out` is then
    required): every point of every run in the same batches (one loaded base, or one vLLM
    server), the base model (step 0) evaluated once and its rows given to each run. The tables
    have a `run` column (the run's directory) and each point's own `checkpoint` name."""
    from spillover.data import heldout_code_prompts
    from spillover.evaluate import Subject, run_eval
    from spillover.evaluate.skill import skill_table, skill_task
    from spillover.judge.defaults import resolve_judge
    from spillover.serve.shared_vllm import shared_vllm_server
    from spillover.train.manifest import RunManifest

    judge = judge if judge is not None else resolve_judge()
    runs = run_dir if isinstance(run_dir, Mapping) else {"": Path(run_dir)}
    if out is None:
        if len(runs) != 1:
            raise SpilloverError("a sweep of several runs needs an output directory")
        out = next(iter(runs.values())) / "sweep"
    out = Path(out)
    for run in runs.values():
        if not (run / "manifest.json").is_file():
            raise SpilloverError(
                f"{run} is not a training run directory (no manifest.json)",
                "pass the --out directory of `spillover train`",
            )
    bases = {RunManifest.load(run).model for run in runs.values()}
    if len(bases) != 1:
        raise SpilloverError(f"runs of different base models cannot share a sweep: {sorted(bases)}")
    console = console or Console(stderr=True)
    warnings: list[str] = []
    # (label, point): the base once (label None), then each run's checkpoints
    points: list[tuple[str | None, SweepPoint]] = (
        [(None, SweepPoint(BASE_CHECKPOINT, 0, None))] if include_base else []
    )
    for label, run in runs.items():
        found = sweep_points(run, False, warnings, last_only)
        if not found and not include_base:
            raise SpilloverError(f"{run} has no intact checkpoints to sweep")
        points += [(label, p) for p in found]
    for note in warnings:
        console.print(f"[yellow]warning:[/] {note}")

    def name(label: str | None, point: SweepPoint) -> str:
        return f"{label}/{point.name}" if label else point.name

    subject = ModelRef.parse(model or bases.pop())
    model_args = _model_args(subject, sum(p.adapter is not None for _, p in points), max_batch)
    console.print(
        f"[bold]sweep[/] {len(points)} points together"
        + ("" if subject.is_local else f", served by {subject.inspect_id}")
        + ": "
        + ", ".join(name(*lp) + (" (base model)" if lp[1].adapter is None else "") for lp in points)
    )
    adapters = [str(p.adapter) if p.adapter else None for _, p in points]
    subjects = [
        Subject(subject.inspect_id, a, name(*lp)) for a, lp in zip(adapters, points, strict=True)
    ]
    served_models = [subject.with_adapter(a).inspect_id for a in adapters] + [judge.model]
    skill_prompts_asked = tuple(heldout_code_prompts(skill_prompts, 0)) if skill_prompts else ()
    with shared_vllm_server(served_models, model_args):  # vllm/: one server for both tasks
        evaluated = run_eval(  # questions and skill, every point, in one eval_set call
            subjects,
            questions,
            out=out / "eval",
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
    answers = _per_run(evaluated.frame, points, runs, name)
    if skill is not None:  # the same table carries each checkpoint's in-distribution skill
        shares = skill.set_index("checkpoint")["skill_vulnerable_share"]
        answers["skill"] = answers["point"].map(shares)
        skill = _per_run(skill, points, runs, name)
        skill = skill[["run", "checkpoint", "step", *[c for c in skill if c not in
                      ("run", "checkpoint", "step", "point")]]]  # fmt: skip
        _write_parquet(out / SKILL_FILE, skill)
    _write_parquet(out / RESULTS_FILE, answers.drop(columns=["point"]))
    checkpoints = [name(*lp) for lp in points]
    return SweepResult(out, out / RESULTS_FILE, out / SKILL_FILE, checkpoints, warnings)


def _per_run(
    frame: pd.DataFrame,
    points: list[tuple[str | None, SweepPoint]],
    runs: Mapping[str, Path],
    name: Callable[[str | None, SweepPoint], str],
) -> pd.DataFrame:
    """Each run's rows (the base model's rows given to every run) with `run`, `step` and the
    point's own `checkpoint` name; `point` keeps the evaluated name."""
    parts: list[pd.DataFrame] = []
    for label, run in runs.items():
        mine = {name(lab, p): p for lab, p in points if lab is None or lab == label}
        part = frame[frame["checkpoint"].isin(list(mine))].copy()
        part["point"] = part["checkpoint"]
        part["step"] = part["point"].map({n: p.step for n, p in mine.items()})
        part["checkpoint"] = part["point"].map({n: p.name for n, p in mine.items()})
        part["run"] = str(run)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _model_args(subject: ModelRef, adapters: int, max_batch: int) -> dict[str, Any] | None:
    """The model args that let one model serve every point at once."""
    if subject.is_local:
        return {"max_batch": max_batch}
    if subject.provider == VLLM and adapters:
        return {"max_loras": min(adapters, VLLM_MAX_LORAS), "max_cpu_loras": adapters}
    return None
