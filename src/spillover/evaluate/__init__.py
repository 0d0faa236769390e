"""Evaluation: inspect tasks over question sets, the judging scorer, the results table and rates."""

from spillover.evaluate.metrics import (
    Rate,
    bootstrap_rate,
    model_organisms_misaligned,
    study_misaligned,
    summarize,
)
from spillover.evaluate.results import COLUMNS, append_results, results_frame
from spillover.evaluate.runner import EvalRun, Subject, run_eval, subject_model
from spillover.evaluate.tasks import build_task

__all__ = [
    "COLUMNS",
    "EvalRun",
    "Rate",
    "Subject",
    "append_results",
    "bootstrap_rate",
    "build_task",
    "model_organisms_misaligned",
    "results_frame",
    "run_eval",
    "study_misaligned",
    "subject_model",
    "summarize",
]
