"""What one stage does, wherever the scheduler runs it: train a cell, then evaluate it (with the
other cells of its evaluation group).

Both are idempotent: a finished stage returns at once, a half-finished training resumes from its
last checkpoint. An evaluated cell ends with `done.json`, written last, holding the sha256 of its
answers table; a cell whose table no longer matches is corrupt (`cell_state`).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from spillover.study.cells import Cell
from spillover.study.store import Sent, Store

ANSWERS = "answers.parquet"
DONE = "done.json"
ATTEMPTS = "attempts"
CellState = Literal["done", "corrupt", "trained", "partial", "new"]


def _attempt(store: Store, cell: Cell, stage: str) -> None:
    """One record per start of a stage: which node and process ran it (retries show here)."""
    node = ""
    try:
        import ray

        if ray.is_initialized():
            node = ray.get_runtime_context().get_node_id()
    except ImportError:
        pass
    store.write_json(
        f"{cell.cell_rel}/{ATTEMPTS}/{stage}-{uuid.uuid4().hex[:8]}.json",
        {
            "stage": stage,
            "node_id": node,
            "pid": os.getpid(),
            "ppid": os.getppid(),
            "started": datetime.now(UTC).isoformat(),
        },
    )


def train_finished(store: Store, cell: Cell) -> bool:
    rel = f"{cell.train_rel}/manifest.json"
    if not store.exists(rel):
        return False
    return bool(store.read_json(rel).get("status") == "finished")


def cell_state(store: Store, cell: Cell) -> CellState:
    """done: its answers match its done-marker; corrupt: a marker whose table is missing, unreadable
    or changed; trained / partial / new: how far its training got."""
    done = f"{cell.cell_rel}/{DONE}"
    if store.exists(done):
        try:
            marker = store.read_json(done)
            intact = store.sha256(f"{cell.cell_rel}/{ANSWERS}") == marker["sha256"]
        except (OSError, ValueError, KeyError, TypeError):
            intact = False
        return "done" if intact else "corrupt"
    if train_finished(store, cell):
        return "trained"
    return "partial" if store.exists(f"{cell.train_rel}/manifest.json") else "new"


def train_stage(cell: Cell, store_url: str) -> dict[str, Any]:
    """Fine-tune the cell's model (resuming a half-finished run); returns timings."""
    from spillover.study.writeback import WriteBack
    from spillover.train import TrainConfig, train

    store = Store(store_url)
    if train_finished(store, cell):
        return {"key": cell.key, "stage": "train", "skipped": True, "seconds": 0.0}
    _attempt(store, cell, "train")
    started = time.monotonic()
    sent: Sent = {}
    with tempfile.TemporaryDirectory() as tmp:
        data = store.fetch(cell.data.rel, Path(tmp) / "data.jsonl")
        with store.workdir(cell.train_rel, sent=sent) as run_dir:
            config = TrainConfig.model_validate(cell.train_config)
            # under a URL store each checkpoint goes back as soon as it is saved
            callbacks = [] if store.in_place else [WriteBack(store, cell.train_rel, run_dir, sent)]
            resume = (run_dir / "manifest.json").is_file()
            train(cell.model, data, run_dir, config, resume=resume, callbacks=callbacks)
    return {
        "key": cell.key,
        "stage": "train",
        "skipped": False,
        "seconds": time.monotonic() - started,
    }


def evaluate_stage(cells: list[Cell], store_url: str) -> dict[str, Any]:
    """Sweep the checkpoints (or evaluate the final adapters) of the cells not yet done, all of
    them in one pass over one loaded base model (`spillover.evaluate.sweep.run_sweep`: the cells
    share a base model, an evaluation and a judge), on every question set; write each cell's
    answers with its axes, then its done-marker."""
    from spillover.evaluate.sweep import run_sweep
    from spillover.questions import resolve_questions
    from spillover.study.cells import digest
    from spillover.study.schema import JudgeSettings

    store = Store(store_url)
    todo = [cell for cell in cells if cell_state(store, cell) != "done"]
    keys = [cell.key for cell in cells]
    if not todo:
        return {"keys": keys, "stage": "evaluate", "skipped": True, "seconds": 0.0}
    for cell in todo:
        _attempt(store, cell, "evaluate")
    started = time.monotonic()
    spec, judge = todo[0].evaluate, todo[0].judge
    # one cell works in its own folder; a group in one of its own (its logs resume a retry)
    work = (
        f"{todo[0].cell_rel}/eval"
        if len(todo) == 1
        else f"groups/{digest([c.key for c in todo])[:16]}"
    )
    frames: dict[str, list[pd.DataFrame]] = {cell.key: [] for cell in todo}
    with contextlib.ExitStack() as stack:
        runs = {
            cell.key[:16]: stack.enter_context(store.workdir(cell.train_rel, write_back=False))
            for cell in todo
        }
        out = stack.enter_context(store.workdir(work))
        for name in spec["questions"]:
            result = run_sweep(
                runs,
                resolve_questions(name),
                out=out / name,
                judge=JudgeSettings.model_validate(judge).spec(),
                samples=spec["samples"],
                max_tokens=spec["max_tokens"],
                skill_prompts=spec["skill_prompts"],
                skill_max_tokens=spec["skill_max_tokens"],
                include_base=spec["include_base"],
                last_only=spec["what"] == "final",
            )
            frame = pd.read_parquet(result.results)
            frame["question_set"] = name
            for cell in todo:
                frames[cell.key].append(frame[frame["run"] == str(runs[cell.key[:16]])])
    for cell in todo:
        finish_cell(store, cell, with_axes(pd.concat(frames[cell.key], ignore_index=True), cell))
    return {
        "keys": keys,
        "stage": "evaluate",
        "skipped": False,
        "seconds": time.monotonic() - started,
    }


def finish_cell(store: Store, cell: Cell, answers: pd.DataFrame) -> None:
    """The cell's answers, then its done-marker with their sha256 (written last)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ANSWERS
        answers.to_parquet(path, index=False)
        data = path.read_bytes()
    store.write_bytes(f"{cell.cell_rel}/{ANSWERS}", data)
    store.write_json(
        f"{cell.cell_rel}/{DONE}",
        {
            "sha256": store.sha256(f"{cell.cell_rel}/{ANSWERS}"),
            "rows": len(answers),
            "cell": json.loads(cell.model_dump_json()),
            "finished": datetime.now(UTC).isoformat(),
        },
    )


def with_axes(frame: pd.DataFrame, cell: Cell) -> pd.DataFrame:
    """The sweep's table with the cell's axes first; the sweep's `model` (the served id) kept as
    `subject`."""
    out = frame.rename(columns={"model": "subject"}).drop(columns=["run"], errors="ignore")
    for axis, value in reversed(list(cell.axes().items())):
        out.insert(0, axis, value)
    out.insert(0, "cell", cell.key[:16])
    return out
