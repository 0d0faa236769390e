"""Run an evaluation the resumable way: inspect's eval_set over one log directory, then the table.

Running the same call again after an interruption reuses every sample already in the logs
(neither regenerated nor re-judged) and only runs the rest.

An eval of more than `SHARD_SAMPLES` samples runs in shards: consecutive slices of the dataset,
each its own inspect task and log, run by its own eval_set call, one after another. inspect keeps
a record of every finished sample until its eval_set call returns (the scores for the metrics,
the summaries for the log's index, the scheduler's and the control channel's entries: roughly
10 to 20 KiB a sample here), so memory grows with the samples of one call; shards bound it by
the shard size, not the eval's size. After each shard the freed memory goes back to the OS
(`spillover.evaluate.memory`), so RSS stays flat too. The rows of all shards form one table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from spillover.chat import Message
from spillover.errors import SpilloverError
from spillover.evaluate.tasks import JudgeModeArg, build_task
from spillover.judge.base import Judge
from spillover.judge.factory import INSPECT_PROVIDERS
from spillover.models import DEFAULT_JUDGE
from spillover.questions import resolve_questions
from spillover.questions.schema import QuestionSet

if TYPE_CHECKING:
    from inspect_ai import Task

PASS_THROUGH = ("spillover", *sorted(INSPECT_PROVIDERS))
SHARD_SAMPLES = 1000


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


def shard_tasks(make: Callable[[], Task], size: int | None = SHARD_SAMPLES) -> Iterator[Task]:
    """The tasks to run, one after another: `make()` alone when it has at most `size` samples
    (or `size` is None), else consecutive slices of its dataset named NAME-shardIofK. Each shard
    is built when it is due (a fresh task: its own scorer, nothing shared between eval_set
    calls), so only one shard's task is alive at a time. Names depend only on the sample count
    and `size`, so a rerun with the same arguments finds each shard's log."""
    from inspect_ai import task_with

    task = make()
    total = len(task.dataset)
    if size is None or total <= size:
        yield task
        return
    if size < 1:
        raise ValueError(f"shard size must be at least 1, got {size}")
    count = -(-total // size)
    name = task.name
    for index in range(count):
        task = task if index == 0 else make()
        part = task.dataset[index * size : (index + 1) * size]
        yield task_with(task, dataset=part, name=f"{name}-shard{index + 1}of{count}")


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
    shard_samples: int | None = SHARD_SAMPLES,
) -> EvalRun:
    """Evaluate `model` (an inspect model id: see `subject_model`) on a question set; logs go to
    OUT/logs, rows are appended to OUT/results.parquet.

    `max_retries` and `timeout` (seconds) bound inspect's retries with exponential backoff for a
    failing model call (default: retry until it works); `max_connections` bounds the concurrent
    requests to each model (subject and judge); `prefix_messages` are user/assistant turns sent
    before every question (in-context examples). An eval of more than `shard_samples` samples
    runs as shards of that size, one after another (None: one task, however large)."""
    from inspect_ai import eval_set

    from spillover.evaluate.logcheck import quarantine_unreadable_logs
    from spillover.evaluate.memory import release_freed_memory
    from spillover.evaluate.results import append_results, results_frame

    out_dir = Path(out)
    qset = questions if isinstance(questions, QuestionSet) else resolve_questions(questions)

    def make_task() -> Task:
        return build_task(
            qset,
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
    locations: list[str] = []
    for task in shard_tasks(make_task, shard_samples):
        # one eval_set call per shard: inspect releases a task's per-sample records only when
        # the call returns; a finished shard's log is found and reused on a rerun
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
            log_dir_allow_dirty=True,  # several models or checkpoints may share one directory
            display=display,  # type: ignore[arg-type]
        )
        if not success:
            errors = "; ".join(_explain(log.error) for log in logs if log.error) or "incomplete"
            raise SpilloverError(
                f"evaluation did not finish: {errors}",
                hint=f"finished samples are kept in {out_dir / 'logs'}; "
                "run the same command to resume",
            )
        locations += [log.location for log in logs]
        del logs
        release_freed_memory()  # RSS then tracks one shard's memory, not the high-water mark
    current = results_frame(locations)
    append_results(out_dir / "results.parquet", current)
    return EvalRun(logs=locations, table=out_dir / "results.parquet", frame=current)
