"""Read evaluation results tables (parquet) and label each row with its group.

A results table has one row per judged answer. Required columns: ``model``, ``question``,
``answer``, ``aligned``, ``coherent``. Optional: ``adapter``, ``checkpoint``, ``step``,
``group`` (overrides the label built from model and adapter), ``skill``, ``flags``,
``paraphrase``, ``sample``, ``system_prompt`` and any ``judge*`` provenance columns.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from spillover.errors import InputError

REQUIRED_COLUMNS = ("model", "question", "answer", "aligned", "coherent")
RESULTS_FILENAME = "results.parquet"
STEP_PATTERN = r"^step-(\d+)$"  # training checkpoints are named step-00010 etc.


def resolve_results_path(path: str | Path) -> Path:
    """A parquet file, or a directory holding ``results.parquet``."""
    target = Path(path)
    if target.is_dir():
        target = target / RESULTS_FILENAME
    if not target.is_file():
        raise InputError(
            target,
            "no results table here",
            hint=f"pass a parquet file or a directory containing {RESULTS_FILENAME} (written by `spillover eval`)",
        )
    return target


def _label(row: pd.Series) -> str:
    model = str(row["model"])
    adapter = row.get("adapter")
    if isinstance(adapter, str) and adapter:
        return f"{model} + {Path(adapter).name or adapter}"
    return model


def with_groups(frame: pd.DataFrame, source: str | Path = "<table>") -> pd.DataFrame:
    """Check the required columns and add ``group`` (kept when given), ``step`` and numeric scores."""
    missing = [name for name in REQUIRED_COLUMNS if name not in frame.columns]
    if missing:
        raise InputError(
            source,
            f"missing column(s) {', '.join(missing)}",
            field=missing[0],
            hint=f"a results table needs the columns {', '.join(REQUIRED_COLUMNS)}",
        )
    out = frame.copy()
    for name in ("aligned", "coherent"):
        values = pd.to_numeric(out[name], errors="coerce")
        bad = values.notna() & ~values.between(0, 100)
        if bad.any():
            index = int(bad.to_numpy().nonzero()[0][0])
            raise InputError(
                source,
                f"score {values.iloc[index]} is outside 0..100",
                entry=f"row {index}",
                field=name,
            )
        out[name] = values.astype(float)
    if "group" not in out.columns or out["group"].isna().all():
        out["group"] = out.apply(_label, axis=1) if len(out) else pd.Series(dtype=str)
    out["group"] = out["group"].astype(str)
    out["question"] = out["question"].astype(str)
    out["step"] = (
        pd.to_numeric(out["step"], errors="coerce") if "step" in out.columns else float("nan")
    )
    if "checkpoint" in out.columns:
        parsed = pd.to_numeric(
            out["checkpoint"].astype(str).str.extract(STEP_PATTERN, expand=False), errors="coerce"
        )
        out["step"] = out["step"].fillna(parsed)
    return out


def read_table(path: str | Path) -> pd.DataFrame:
    """A small table from parquet, CSV, JSON Lines or JSON (a list of records)."""
    file = Path(path)
    if not file.is_file():
        raise InputError(file, "file not found")
    try:
        if file.suffix == ".parquet":
            return pd.read_parquet(file)
        if file.suffix == ".csv":
            return pd.read_csv(file)
        if file.suffix == ".jsonl":
            return pd.read_json(file, lines=True)
        if file.suffix == ".json":
            return pd.read_json(file)
    except (OSError, ValueError) as err:
        raise InputError(file, f"cannot read ({err})") from err
    raise InputError(
        file, f"unknown table format {file.suffix!r}", hint="use .parquet, .csv, .jsonl or .json"
    )


def read_skill(path: str | Path) -> pd.DataFrame:
    """In-distribution skill per checkpoint: columns step (or checkpoint) and
    skill_vulnerable_share (or skill); optional group and n."""
    frame = read_table(path)
    if "step" not in frame.columns and "checkpoint" in frame.columns:
        frame["step"] = pd.to_numeric(
            frame["checkpoint"].astype(str).str.extract(STEP_PATTERN, expand=False), errors="coerce"
        )
    value = next((c for c in ("skill_vulnerable_share", "skill") if c in frame.columns), None)
    if "step" not in frame.columns or value is None:
        raise InputError(
            path,
            "needs a step (or checkpoint) column and a skill_vulnerable_share (or skill) column",
            field="step" if "step" not in frame.columns else "skill_vulnerable_share",
        )
    out = pd.DataFrame(
        {
            "step": pd.to_numeric(frame["step"], errors="coerce"),
            "skill": pd.to_numeric(frame[value], errors="coerce"),
        }
    )
    out["group"] = frame["group"].astype(str) if "group" in frame.columns else None
    if out["step"].isna().any():
        raise InputError(
            path,
            "a step is missing or not a number",
            entry=f"row {int(out['step'].isna().to_numpy().nonzero()[0][0])}",
            field="step",
        )
    return out


def read_results(paths: Iterable[str | Path]) -> pd.DataFrame:
    """Read and concatenate results tables; each row keeps its ``source`` file."""
    frames = []
    for path in paths:
        file = resolve_results_path(path)
        try:
            frame = pd.read_parquet(file)
        except (OSError, ValueError) as err:
            raise InputError(file, f"cannot read as parquet ({err})") from err
        frame = with_groups(frame, file)
        frame["source"] = str(file)
        frames.append(frame)
    if not frames:
        raise InputError("<command line>", "no results tables given")
    return pd.concat(frames, ignore_index=True)
