"""Evaluation: inspect tasks over question sets, the judging scorer and the results table.

The rates computed from the table live in `spillover.stats`.
"""

from spillover.evaluate.results import COLUMNS, append_results, results_frame
from spillover.evaluate.runner import EvalRun, Subject, run_eval, subject_model
from spillover.evaluate.tasks import build_task

__all__ = [
    "COLUMNS",
    "EvalRun",
    "Subject",
    "append_results",
    "build_task",
    "results_frame",
    "run_eval",
    "subject_model",
]
