"""Run an evaluation the resumable way: inspect's eval_set over one log directory, then the table.

Running the same call again after an interruption reuses every sample already in the logs
(neither regenerated nor re-judged) and only runs the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from spillover.chat import Message
from spillover.errors import SpilloverError
from spillover.evaluate.tasks import JudgeModeArg, build_task
from spillover.judge.base import Judge
from spillover.judge.factory import INSPECT_PROVIDERS
from spillover.models import DEFAULT_JUDGE
from spillover.questions.schema import QuestionSet

PASS_THROUGH = ("spillover", *sorted(INSPECT_PROVIDERS))


def subject_model(spec: str) -> str:
    """Local specs (registry names, directories, hub ids) go to the `spillover/` provider;
    ids of inspect providers (hf/, openai/, openai-api/, vllm/, ...) pass through."""
    provider, sep, _ = spec.partition("/")
    if sep and provider in PASS_THROUGH and not Path(spec).is_dir():
        return spec
    return f"spillover/{spec}"


_CONNECTION_ERRORS = (
    "APIConnectionError",
    "ConnectError",
    "ConnectionRefused",
    "RemoteProtocolError",
)


def _explain(error: Any) -> str:
    """One line for a task error; connection failures say so instead of a RetryError repr."""
    text = f"{error.message}\n{error.traceback}"
    if any(name in text for name in _CONNECTION_ERRORS):
        return "the model server could not be reached (connection failed after the retries)"
    if "APITimeoutError" in text or "TimeoutError" in text:
        return "the model server did not answer in time (after the retries)"
    return str(error.message).splitlines()[0] if error.message else "unknown error"


@dataclass
class EvalRun:
    logs: list[str]
    table: Path
    frame: pd.DataFrame  # this run's rows (the table may hold earlier runs too)


def run_eval(
    model: str,
    questions: str | Path | QuestionSet,
    *,
    out: str | Path,
    adapter: str | None = None,
    checkpoint: str | None = None,
    judge: str | Judge = DEFAULT_JUDGE,
    judge_mode: JudgeModeArg = "scale",
    calibration: str | None = None,
    samples: int | None = None,
    trigger: str | None = None,
    max_tokens: int = 600,
    log_buffer: int | None = None,
    max_samples: int | None = None,
    display: str | None = None,
    model_args: dict[str, Any] | None = None,
    max_retries: int | None = None,
    timeout: int | None = None,
    max_connections: int | None = None,
    prefix_messages: Sequence[Message] = (),
) -> EvalRun:
    """Evaluate `model` (an inspect model id: see `subject_model`) on a question set; logs go to
    OUT/logs, rows are appended to OUT/results.parquet.

    `max_retries` and `timeout` (seconds) bound inspect's retries with exponential backoff for a
    failing model call (default: retry until it works); `max_connections` bounds the concurrent
    requests to each model (subject and judge); `prefix_messages` are user/assistant turns sent
    before every question (in-context examples)."""
    from inspect_ai import eval_set

    from spillover.evaluate.logcheck import quarantine_unreadable_logs
    from spillover.evaluate.results import append_results, results_frame

    out_dir = Path(out)
    task = build_task(
        questions,
        samples=samples,
        judge=judge,
        judge_mode=judge_mode,
        calibration=calibration,
        trigger=trigger,
        max_tokens=max_tokens,
        prefix_messages=prefix_messages,
    )
    quarantine_unreadable_logs(out_dir / "logs")  # a truncated log is redone, never trusted
    args = dict(model_args or {})
    if adapter:
        args["adapter"] = adapter
    success, logs = eval_set(
        task,
        log_dir=str(out_dir / "logs"),
        model=model,
        model_args=args,
        metadata={"checkpoint": checkpoint, "adapter": adapter},
        retry_attempts=1,
        retry_wait=1,
        log_buffer=log_buffer,
        max_samples=max_samples,
        max_retries=max_retries,
        timeout=timeout,
        max_connections=max_connections,
        log_dir_allow_dirty=True,  # several models or checkpoints may share one output directory
        display=display,  # type: ignore[arg-type]
    )
    locations = [log.location for log in logs]
    if not success:
        errors = "; ".join(_explain(log.error) for log in logs if log.error) or "incomplete"
        raise SpilloverError(
            f"evaluation did not finish: {errors}",
            hint=f"finished samples are kept in {out_dir / 'logs'}; run the same command to resume",
        )
    current = results_frame(locations)
    append_results(out_dir / "results.parquet", current)
    return EvalRun(logs=locations, table=out_dir / "results.parquet", frame=current)
