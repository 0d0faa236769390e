"""Judge provenance recorded in a results table (any column whose name starts with ``judge``)."""

from __future__ import annotations

import json

import pandas as pd


def _text(value: object) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def judge_provenance(frame: pd.DataFrame) -> dict[str, list[str]]:
    """Distinct non-empty values of each ``judge*`` column, e.g. {"judge_model": ["qwen..."]}."""
    found: dict[str, list[str]] = {}
    for column in frame.columns:
        if not str(column).lower().startswith("judge"):
            continue
        values = sorted(
            {
                _text(v)
                for v in frame[column].tolist()
                if v is not None and not (isinstance(v, float) and pd.isna(v))
            }
        )
        if values:
            found[str(column)] = values
    return found
