"""The study's one tidy table: every judged answer of every finished cell, with the cell's axes."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from rich.console import Console

from spillover.study.cells import Cell
from spillover.study.schema import LoadedStudy
from spillover.study.store import Store
from spillover.study.work import ANSWERS, cell_state

TABLE = "answers.parquet"


def collect(store: Store, cells: list[Cell]) -> pd.DataFrame:
    """The answers of every intact finished cell, in the grid's order."""
    frames: list[pd.DataFrame] = []
    with tempfile.TemporaryDirectory() as tmp:
        for index, cell in enumerate(cells):
            if cell_state(store, cell) != "done":
                continue
            local = store.fetch(f"{cell.cell_rel}/{ANSWERS}", Path(tmp) / f"{index}.parquet")
            frames.append(pd.read_parquet(local))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def write_results(study: LoadedStudy, store: Store, cells: list[Cell], console: Console) -> None:
    """`answers.parquet` and the study report, written through the store."""
    from spillover.study.report import write_report

    table = collect(store, cells)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / TABLE
        table.to_parquet(path, index=False)
        store.write_bytes(TABLE, path.read_bytes())
    console.print(
        f"{len(table)} answers from {table['cell'].nunique() if len(table) else 0} of "
        f"{len(cells)} cells: {store.path(TABLE)}",
        markup=False,
        highlight=False,
    )
    if len(table):
        written = write_report(study, table, store)
        console.print(f"report: {', '.join(written)}", markup=False, highlight=False)
