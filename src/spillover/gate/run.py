"""Get the two results tables the gate compares: given, found in the output directory, or
produced by running the evaluation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from spillover.errors import SpilloverError
from spillover.report.load import RESULTS_FILENAME, read_results


def _evaluate(model: str, out_dir: Path, options: dict[str, Any]) -> Path:
    """Run the evaluation for one model (as `spillover eval` does) and return its results table."""
    from spillover import evaluate

    given = {k: v for k, v in options.items() if v is not None}
    questions = str(given.pop("questions", "main"))
    run = evaluate.run_eval(evaluate.subject_model(model), questions, out=out_dir, **given)
    return Path(run.table)


def results_for(
    role: str,
    model: str | None,
    given: Path | None,
    out_dir: Path,
    options: dict[str, Any],
) -> pd.DataFrame:
    """The table for ``role`` ("candidate" or "reference")."""
    if given is not None:
        return read_results([given])
    existing = out_dir / role / RESULTS_FILENAME
    if existing.is_file():
        return read_results([existing])
    if model is None:
        raise SpilloverError(
            f"no {role} given",
            f"pass --{role} MODEL to evaluate it, or --{role}-results FILE to use finished results",
        )
    return read_results([_evaluate(model, out_dir / role, options)])
