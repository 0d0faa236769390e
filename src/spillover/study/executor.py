"""Run a study's cells as Ray tasks: embedded on this machine by default, or on a cluster.

Each cell's training is a task; the evaluation of cells that share a base model, an evaluation
and a judge is one task per group of up to `evaluate.share_base` cells, submitted once the
group's trainings have ended, so one loaded base model (one vLLM server on a GPU) serves all
their adapters. Every task asks for its stage's resources and is retried by Ray (`max_retries`,
also on exceptions) wherever a node is free. Before anything is submitted every stage's request
is checked against the nodes; finished cells are skipped, corrupt ones moved aside and redone,
half-trained ones resume from their checkpoints. Each cell keeps its own answers and
done-marker, so a rerun evaluates only the cells not done.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from spillover.errors import InputError, SpilloverError
from spillover.study.cells import Cell, data_refs, expand
from spillover.study.schema import LoadedStudy, StageResources
from spillover.study.store import Store
from spillover.study.work import cell_state, evaluate_stage, train_stage

GIB = 1024**3
OBJECT_STORE_BYTES = 128 * 1024**2  # cells pass small dicts; artefacts go to the store
STAGES = ("train", "evaluate")
ENDED = {"train": "trained", "evaluate": "evaluated"}


@dataclass
class StudyRun:
    cells: list[Cell]
    skipped: list[str] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)
    redone: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def connect(address: str | None, dashboard: bool = False) -> str | None:
    """Connect to the cluster at `address`, or start Ray embedded, lean: this machine's cores, a
    small object store, the dashboard only when asked, worker logs not echoed. Returns the
    dashboard URL when there is one."""
    import ray

    if ray.is_initialized():
        return None
    common: dict[str, Any] = {"log_to_driver": False, "logging_level": logging.WARNING}
    if address:
        context = ray.init(address=address, **common)
    else:
        context = ray.init(
            num_cpus=os.cpu_count() or 1,
            include_dashboard=dashboard,
            object_store_memory=OBJECT_STORE_BYTES,
            **common,
        )
    url = getattr(context, "dashboard_url", None)
    return f"http://{url}" if url else None


def preflight(study: LoadedStudy) -> None:
    """Embedded, this machine runs every cell: fail before Ray starts when a local model (the
    subjects, the judge) cannot be had here (offline and not cached, unknown)."""
    from spillover.models.ref import ModelRef

    for spec in dict.fromkeys([*study.spec.models, study.spec.judge.model]):
        ref = ModelRef.parse(spec)
        if ref.is_local:
            ref.resolve()


def request(stage: StageResources) -> dict[str, float]:
    need = {"CPU": stage.num_cpus, "GPU": stage.num_gpus}
    if stage.memory_gb:
        need["memory"] = stage.memory_gb * GIB
    return need


def check_resources(study: LoadedStudy) -> None:
    """Fail before any work when no live node could ever run a stage."""
    import ray

    alive = [n for n in ray.nodes() if n.get("Alive")]  # type: ignore[no-untyped-call]
    nodes = [n.get("Resources", {}) for n in alive]
    for stage in STAGES:
        spec: StageResources = getattr(study.spec.resources, stage)
        need = request(spec)
        if any(all(node.get(k, 0.0) >= v for k, v in need.items() if v) for node in nodes):
            continue
        short = next(
            k for k, v in need.items() if v and all(node.get(k, 0.0) < v for node in nodes)
        )
        name = {"CPU": "num_cpus", "GPU": "num_gpus", "memory": "memory_gb"}[short]
        largest = max((node.get(short, 0.0) for node in nodes), default=0.0)
        unit = GIB if short == "memory" else 1
        field_path = f"resources.{stage}.{name}"
        raise InputError(
            study.path,
            f"no node of the cluster can meet this request ({getattr(spec, name)}; the largest "
            f"node has {largest / unit:g})",
            line=study.line(field_path),
            field=field_path,
            hint="lower the request or add a node that has it",
        )


def _options(stage: StageResources) -> dict[str, Any]:
    options: dict[str, Any] = {
        "num_cpus": stage.num_cpus,
        "num_gpus": stage.num_gpus,
        "max_retries": stage.max_retries,
        "retry_exceptions": True,
    }
    if stage.memory_gb:
        options["memory"] = int(stage.memory_gb * GIB)
    return options


def materialise(study: LoadedStudy, store: Store) -> list[Cell]:
    """Write each dataset into the store (once), then expand the grid."""
    refs, contents = data_refs(study, fetch=True)
    for name, ref in refs.items():
        if not store.exists(ref.rel):
            store.write_bytes(ref.rel, contents[name])
    cells = expand(study, refs)
    store.write_json(
        "study.json",
        {
            "study": study.spec.model_dump(mode="json"),
            "file": str(study.path),
            "cells": [c.model_dump(mode="json") for c in cells],
            "written": datetime.now(UTC).isoformat(),
        },
    )
    return cells


def _line(console: Console, state: str, cell: Cell, note: str = "") -> None:
    stamp = datetime.now(UTC).strftime("%H:%M:%S")
    text = f"{stamp} {state:<10} {cell.key[:12]} {cell.label()}" + (f" ({note})" if note else "")
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def evaluation_groups(cells: list[Cell], share: int) -> list[list[Cell]]:
    """Cells that share a base model, an evaluation and a judge, in grid order, in groups of at
    most `share`: each group is one evaluation task over one loaded base (one vLLM server)."""
    from spillover.study.cells import digest

    alike: dict[str, list[Cell]] = {}
    for cell in cells:
        alike.setdefault(digest([cell.model, cell.evaluate, cell.judge]), []).append(cell)
    return [group[i : i + share] for group in alike.values() for i in range(0, len(group), share)]


def run_cells(study: LoadedStudy, store: Store, console: Console) -> StudyRun:
    """Submit every unfinished cell and wait for all; one line per state change and a bar. A
    cell's training is a task; once every training of an evaluation group has ended, the group's
    cells that trained are evaluated by one task."""
    import ray
    from ray.exceptions import RayError

    cells = materialise(study, store)
    run = StudyRun(cells)
    train_task = ray.remote(train_stage)
    evaluate_task = ray.remote(evaluate_stage)
    train_opts = _options(study.spec.resources.train)
    evaluate_opts = _options(study.spec.resources.evaluate)
    pending: dict[Any, tuple[str, list[Cell]]] = {}
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    todo: list[Cell] = []
    training: set[str] = set()
    for cell in cells:
        state = cell_state(store, cell)
        if state == "done":
            run.skipped.append(cell.key)
            _line(console, "done", cell, "finished before: skipped")
            continue
        if state == "corrupt":
            aside = f"corrupt/{cell.key[:16]}-{stamp}"
            store.move(cell.cell_rel, aside)
            run.redone.append(cell.key)
            _line(console, "corrupt", cell, f"answers do not match done.json: moved to {aside}")
        if state != "trained":
            pending[train_task.options(**train_opts).remote(cell, store.url)] = ("train", [cell])
            training.add(cell.key)
        todo.append(cell)
        _line(console, "queued", cell, "resumes its training" if state == "partial" else state)
    waiting = evaluation_groups(todo, study.spec.evaluate.share_base)

    def submit_ready() -> None:
        for group in [g for g in waiting if not any(c.key in training for c in g)]:
            waiting.remove(group)
            trained = [c for c in group if c.key not in run.failed]
            if trained:
                ref = evaluate_task.options(**evaluate_opts).remote(trained, store.url)
                pending[ref] = ("evaluate", trained)

    submit_ready()
    columns = (
        TextColumn("[bold]study[/] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        bar = progress.add_task(study.spec.name, total=len(cells), completed=len(run.skipped))
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1, timeout=5.0)
            for ref in ready:
                stage, group = pending.pop(ref)
                try:
                    result = ray.get(ref)
                except RayError as err:
                    for cell in group:
                        run.failed[cell.key] = f"{stage}: {_cause(err)}"
                        _line(console, "failed", cell, run.failed[cell.key])
                        progress.advance(bar)
                else:
                    seconds = float(result["seconds"])
                    for cell in group:
                        run.seconds[f"{cell.key}/{stage}"] = seconds
                        shared = f", with {len(group) - 1} other cells" if len(group) > 1 else ""
                        _line(console, ENDED[stage], cell, f"{seconds:.0f} s{shared}")
                        if stage == "evaluate":
                            run.finished.append(cell.key)
                            progress.advance(bar)
                if stage == "train":
                    training.difference_update(c.key for c in group)
                    submit_ready()
    return run


def _cause(err: Exception) -> str:
    text = str(err).strip().splitlines()
    return text[-1][:300] if text else type(err).__name__


def run_study(
    study: LoadedStudy,
    out: str,
    *,
    address: str | None = None,
    dashboard: bool = False,
    console: Console | None = None,
) -> StudyRun:
    """The whole study: connect, check, run every cell, then the table and the report."""
    import ray

    from spillover.study.table import write_results

    console = console or Console(stderr=True)
    store = Store(out)
    started = time.monotonic()
    owned = not ray.is_initialized()
    if address is None and owned:
        preflight(study)
    url = connect(address, dashboard)
    try:
        if url:
            console.print(f"Ray dashboard: {url}", markup=False, highlight=False)
        check_resources(study)
        run = run_cells(study, store, console)
    finally:
        if owned:
            ray.shutdown()
    write_results(study, store, run.cells, console)
    run.seconds["total"] = time.monotonic() - started
    if run.failed:
        raise SpilloverError(
            f"{len(run.failed)} of {len(run.cells)} cells failed: "
            + "; ".join(f"{k[:12]} {v}" for k, v in run.failed.items()),
            "run the same command again: finished cells are kept, the others resume",
        )
    return run
