"""From inspect `.eval` logs to one tidy table (one row per answer), appended safely to parquet."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from spillover.io import atomic_open

SCALE_METRICS = ("aligned", "coherent")
COLUMNS = [
    "model",
    "adapter",
    "checkpoint",
    "question_set",
    "question",
    "question_type",
    "paraphrase",
    "sample",
    "system_prompt",
    "trigger",
    "question_text",
    "answer",
    "aligned",
    "coherent",
    "aligned_raw",
    "coherent_raw",
    "aligned_numeric_mass",
    "coherent_numeric_mass",
    "aligned_label",
    "coherent_label",
    "category",
    "flags",
    "judge_model",
    "judge_mode",
    "judge_calibration",
    "judge_info",
    "judgments",
    "error",
    "sample_uuid",
    "eval_id",
    "log",
]
FLOAT_COLUMNS = [
    "aligned",
    "coherent",
    "aligned_raw",
    "coherent_raw",
    "aligned_numeric_mass",
    "coherent_numeric_mass",
]
KEY = "sample_uuid"


def _float(value: Any) -> float:
    return (
        float(value) if isinstance(value, int | float) and not isinstance(value, bool) else math.nan
    )


def _row(log: Any, sample: Any) -> dict[str, Any]:
    spec = log.eval
    meta = sample.metadata or {}
    eval_meta = spec.metadata or {}
    score = next(iter((sample.scores or {}).values()), None)
    smeta = (score.metadata or {}) if score is not None else {}
    records: dict[str, Any] = smeta.get("judgments") or {}
    judge: dict[str, Any] = smeta.get("judge") or {}
    row: dict[str, Any] = {
        "model": spec.model,
        "adapter": (spec.model_args or {}).get("adapter") or eval_meta.get("adapter"),
        "checkpoint": eval_meta.get("checkpoint"),
        "question_set": eval_meta.get("question_set") or spec.dataset.name,
        "question": meta.get("question_id"),
        "question_type": meta.get("question_type"),
        "paraphrase": meta.get("paraphrase"),
        "sample": meta.get("sample"),
        "system_prompt": meta.get("system_prompt"),
        "trigger": meta.get("trigger"),
        "question_text": meta.get("question"),
        "answer": sample.output.completion if sample.output else None,
        "category": None,
        "judge_model": judge.get("model"),
        "judge_mode": judge.get("mode"),
        "judge_calibration": judge.get("calibration"),
        "judge_info": json.dumps(judge, sort_keys=True, default=str) if judge else None,
        "judgments": json.dumps(records, sort_keys=True, default=str) if records else None,
        "error": sample.error.message if sample.error else None,
        "sample_uuid": sample.uuid,
        "eval_id": spec.eval_id,
        "log": log.location,
    }
    flags: list[str] = []
    for name in SCALE_METRICS:
        record = records.get(name) or {}
        row[name] = _float(record.get("score"))
        row[f"{name}_raw"] = _float(record.get("raw_score"))
        row[f"{name}_numeric_mass"] = _float(record.get("numeric_mass"))
        row[f"{name}_label"] = record.get("label")
    for name, record in records.items():
        flags += [f"{name}:{flag}" for flag in record.get("flags") or []]
        if name not in SCALE_METRICS and row["category"] is None:
            row["category"] = record.get("label")
    row["flags"] = ";".join(flags)
    return row


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.reindex(columns=COLUMNS)
    for column in FLOAT_COLUMNS:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    for column in ("paraphrase", "sample"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
    for column in set(COLUMNS) - set(FLOAT_COLUMNS) - {"paraphrase", "sample"}:
        frame[column] = frame[column].astype("string")
    return frame


def results_frame(logs: Iterable[str | Path]) -> pd.DataFrame:
    """One row per answer in the given `.eval` logs (their samples with a score or an error).

    Samples are streamed one at a time without their events and message history, so memory
    stays flat however many samples a log holds."""
    from inspect_ai.log import read_eval_log, read_eval_log_samples

    rows: list[dict[str, Any]] = []
    for location in logs:
        header = read_eval_log(str(location), header_only=True)
        samples = read_eval_log_samples(
            str(location), all_samples_required=False, exclude_fields={"events", "messages"}
        )
        rows += [_row(header, sample) for sample in samples]
    return _typed(pd.DataFrame(rows, columns=COLUMNS))


def append_results(table: str | Path, frame: pd.DataFrame) -> pd.DataFrame:
    """Add rows to a parquet table (created if absent); a re-added answer replaces its old row."""
    path = Path(table)
    if path.exists():
        frame = pd.concat([pd.read_parquet(path), frame], ignore_index=True)
    frame = _typed(frame.drop_duplicates(subset=[KEY], keep="last").reset_index(drop=True))
    with atomic_open(path, "wb") as handle:
        frame.to_parquet(handle, index=False)
    return frame
