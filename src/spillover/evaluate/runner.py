"""Run an evaluation the resumable way: inspect's eval_set over one log directory, then the table.

Running the same call again after an interruption reuses every sample already in the logs
(neither regenerated nor re-judged) and only runs the rest.

An eval of more than `SHARD_SAMPLES` samples runs in shards: consecutive slices of the dataset,
each its own inspect task and log, run by its own eval_set call, one after another. inspect keeps
a record of every finished sample until its eval_set call returns (the scores for the metrics,
the summaries for the log's index, the scheduler's and the control channel's entries: roughly
10 to 20 KiB a sample here), so memory grows with the samples of one call; shards bound it by
the shard size, not the eval's size. When the judge is given as a JudgeSpec (not a Judge object),
each shard runs in a fresh worker process that exits when the shard is done, so whatever a
shard leaves behind (allocator arenas included) goes with it and the caller's memory stays
flat; otherwise the shards run here and the freed memory is handed back to the OS after each
one (`spillover.evaluate.memory`). The rows of all shards form one table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from spillover.chat import Message
from spillover.errors import SpilloverError
from spillover.evaluate.memory import die_with_parent, release_freed_memory
from spillover.evaluate.tasks import build_task
from spillover.judge.base import Judge, JudgeSpec
from spillover.judge.defaults import resolve_judge
from spillover.models import ModelRef
from spillover.questions import resolve_questions
from spillover.questions.schema import QuestionSet
from spillover.serve.shared_vllm import shared_vllm_server

if TYPE_CHECKING:
    from inspect_ai import Task

SHARD_SAMPLES = 1000


def subject_model(spec: str) -> str:
    """The inspect model id of `spec` (see `ModelRef.parse`): local specs (registry names,
    directories, hub ids) go to the `spillover/` provider; ids of inspect providers pass through."""
    return ModelRef.parse(spec).inspect_id


def adapter_model(model: str, adapter: str | None) -> tuple[str, dict[str, Any]]:
    """The inspect model id and extra model args that serve the LoRA `adapter` on `model`
    (`ModelRef.inspect_id` and `ModelRef.model_args`)."""
    ref = ModelRef.parse(model, adapter)
    return ref.inspect_id, dict(ref.model_args)


@dataclass(frozen=True)
class Subject:
    """One model to evaluate: an inspect model id, the LoRA adapter on it, and the checkpoint
    name that goes into the table (a sweep evaluates several at once)."""

    model: str
    adapter: str | None = None
    checkpoint: str | None = None


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


def shard_task(make: Callable[[], Task], size: int | None, index: int) -> Task:
    """Shard `index` of the task `make()` builds: the task itself when it has at most `size`
    samples (or `size` is None), else the index-th consecutive slice of its dataset, named
    NAME-shardIofK. Shards run one after another, each built when it is due (a fresh task: its
    own scorer, nothing shared between eval_set calls), so only one shard's task is alive at a
    time. Names depend only on the sample count and `size`, so a rerun with the same arguments
    finds each shard's log."""
    from inspect_ai import task_with

    task = make()
    count = shard_count(len(task.dataset), size)
    if size is None or count == 1:
        return task
    part = task.dataset[index * size : (index + 1) * size]
    return task_with(task, dataset=part, name=f"{task.name}-shard{index + 1}of{count}")


def subject_tasks(
    make: Callable[[], Task],
    subjects: Sequence[Subject],
    model_args: dict[str, Any],
    size: int | None,
    index: int,
) -> list[Task]:
    """Shard `index` once per subject: each task carries its subject's model (with the adapter
    among its model args) and checkpoint, so one eval_set call runs them all concurrently."""
    from inspect_ai import task_with
    from inspect_ai.model import get_model

    tasks = []
    for subject in subjects:
        task = shard_task(make, size, index)
        model, extra = adapter_model(subject.model, subject.adapter)
        metadata = {"checkpoint": subject.checkpoint, "adapter": subject.adapter}
        tasks.append(
            task_with(
                task,
                model=get_model(model, **model_args, **extra),
                metadata={**(task.metadata or {}), **metadata},
            )
        )
    return tasks


def named_subject_tasks(
    make: Callable[[], Task], subjects: Sequence[Subject], model_args: dict[str, Any]
) -> list[Task]:
    """The task `make()` builds, once per subject (unsharded), each named TASK-CHECKPOINT: tasks
    that share one eval_set call with the question tasks need names of their own."""
    from inspect_ai import task_with

    return [
        task_with(t, name=f"{t.name}-{re.sub(r'[^A-Za-z0-9_.-]+', '_', str(s.checkpoint))}")
        for t, s in zip(subject_tasks(make, subjects, model_args, None, 0), subjects, strict=True)
    ]


def shard_count(total: int, size: int | None) -> int:
    """How many tasks `shard_tasks` yields for `total` samples."""
    if size is None or total <= size:
        return 1
    if size < 1:
        raise ValueError(f"shard size must be at least 1, got {size}")
    return -(-total // size)


@dataclass(frozen=True)
class ShardJob:
    """One shard, as a worker process rebuilds and runs it (every field is picklable)."""

    questions: QuestionSet
    task_args: dict[str, Any]  # build_task's keyword arguments
    subjects: tuple[Subject, ...]
    model_args: dict[str, Any]
    size: int
    index: int
    eval_args: dict[str, Any]  # eval_set's keyword arguments
    companion: Callable[[], Task] | None = None  # picklable (a partial of a module function)


@dataclass(frozen=True)
class ShardResult:
    success: bool
    locations: list[str]
    errors: list[str]
    companion_locations: list[str] = field(default_factory=list)


def _run_eval_set(
    tasks: list[Task], eval_args: dict[str, Any], companions: Sequence[Task] = ()
) -> ShardResult:
    from inspect_ai import eval_set

    everything = [*tasks, *companions]
    success, logs = eval_set(everything, max_tasks=len(everything), **eval_args)
    names = {task.name for task in companions}
    return ShardResult(
        success,
        [log.location for log in logs if log.eval.task not in names],
        [_explain(log.error) for log in logs if log.error],
        [log.location for log in logs if log.eval.task in names],
    )


def _companions(
    make: Callable[[], Task] | None,
    subjects: Sequence[Subject],
    model_args: dict[str, Any],
    index: int,
) -> list[Task]:
    """The companion task for every subject, run with the first shard."""
    return named_subject_tasks(make, subjects, model_args) if make and index == 0 else []


def run_shard_job(job: ShardJob) -> ShardResult:
    """Worker entry point: rebuild shard `job.index` of the task and run it."""
    die_with_parent()  # a killed caller must not leave a worker writing into its logs
    tasks = subject_tasks(
        lambda: build_task(job.questions, **job.task_args),
        job.subjects,
        job.model_args,
        job.size,
        job.index,
    )
    companions = _companions(job.companion, job.subjects, job.model_args, job.index)
    return _run_eval_set(tasks, job.eval_args, companions)


@dataclass
class EvalRun:
    logs: list[str]
    table: Path
    frame: pd.DataFrame  # this run's rows (the table may hold earlier runs too)
    companion_logs: list[str] = field(default_factory=list)  # the companion task's logs


def run_eval(
    model: str | Sequence[Subject],
    questions: str | Path | QuestionSet,
    *,
    out: str | Path,
    adapter: str | None = None,
    checkpoint: str | None = None,
    judge: JudgeSpec | Judge | None = None,
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
    companion: Callable[[], Task] | None = None,
) -> EvalRun:
    """Evaluate `model` (an inspect model id: see `subject_model`) on a question set; logs go to
    OUT/logs, rows are appended to OUT/results.parquet. `model` may instead list several
    subjects (models, adapters, checkpoint names; then `adapter` and `checkpoint` stay None):
    they are evaluated concurrently, so a local base model serves all its adapters in mixed
    batches (`spillover.sampling.mixed`).

    `max_retries` and `timeout` (seconds) bound inspect's retries with exponential backoff for a
    failing model call (default: retry until it works); `max_connections` bounds the concurrent
    requests to each model (subject and judge); `prefix_messages` are user/assistant turns sent
    before every question (in-context examples). An eval of more than `shard_samples` samples
    runs as shards of that size, one after another (None: one task, however large).

    `companion` builds another task (with its own generation settings, e.g. the skill task)
    that runs for every subject in the same eval_set call as the first shard, so a local model
    samples both families in shared batches; it must pickle (a `functools.partial` of a module
    function) and its logs come back as `EvalRun.companion_logs`, outside the table."""
    from spillover.evaluate.logcheck import quarantine_unreadable_logs
    from spillover.evaluate.results import append_results, results_frame

    out_dir = Path(out)
    judge = judge if judge is not None else resolve_judge()
    qset = questions if isinstance(questions, QuestionSet) else resolve_questions(questions)

    if isinstance(model, str):
        subjects: tuple[Subject, ...] = (Subject(model, adapter, checkpoint),)
    elif adapter is not None or checkpoint is not None:
        raise ValueError("with several subjects, each names its own adapter and checkpoint")
    else:
        subjects = tuple(model)
    if not subjects:
        raise ValueError("nothing to evaluate: no subjects")
    for subject in subjects:  # a subject that cannot take its adapter fails before any work
        adapter_model(subject.model, subject.adapter)

    quarantine_unreadable_logs(out_dir / "logs")  # a truncated log is redone, never trusted
    eval_args: dict[str, Any] = dict(
        log_dir=str(out_dir / "logs"),
        retry_attempts=1,
        retry_wait=1,
        log_buffer=log_buffer,
        max_samples=max_samples,
        max_retries=max_retries,
        timeout=timeout,
        max_connections=max_connections,
        log_dir_allow_dirty=True,  # several models or checkpoints may share one directory
        display=display,
    )
    task_args: dict[str, Any] = dict(
        samples=samples,
        judge=judge,
        trigger=trigger,
        max_tokens=max_tokens,
        prefix_messages=list(prefix_messages),
    )
    total = len(build_task(qset, **task_args).dataset)
    count = shard_count(total, shard_samples)
    args = dict(model_args or {})
    if shard_samples is not None and count > 1 and isinstance(judge, JudgeSpec):
        # a judge named by its spec can be rebuilt in a worker; a Judge object cannot
        jobs = [
            ShardJob(qset, task_args, subjects, args, shard_samples, i, eval_args, companion)
            for i in range(count)
        ]
        results = _run_in_workers(jobs)
    else:
        make = lambda: build_task(qset, **task_args)  # noqa: E731
        results = _run_here(make, subjects, args, shard_samples, count, eval_args, companion)
    models = [adapter_model(s.model, s.adapter)[0] for s in subjects]
    locations: list[str] = []
    companion_logs: list[str] = []
    judges = [judge.model] if isinstance(judge, JudgeSpec) else []
    with shared_vllm_server(models + judges, args):
        for result in results:  # shards run here, one after another, all on the one server
            # one eval_set call per shard: inspect releases a task's per-sample records only
            # when the call returns; a finished shard's log is found and reused on a rerun
            if not result.success:
                raise SpilloverError(
                    f"evaluation did not finish: {'; '.join(result.errors) or 'incomplete'}",
                    hint=f"finished samples are kept in {out_dir / 'logs'}; "
                    "run the same command to resume",
                )
            locations += result.locations
            companion_logs += result.companion_locations
    current = results_frame(locations)
    append_results(out_dir / "results.parquet", current)
    release_freed_memory()  # what reading the logs into the table used and freed
    return EvalRun(locations, out_dir / "results.parquet", current, companion_logs)


def _run_here(
    make_task: Callable[[], Task],
    subjects: Sequence[Subject],
    model_args: dict[str, Any],
    size: int | None,
    count: int,
    eval_args: dict[str, Any],
    companion: Callable[[], Task] | None,
) -> Iterator[ShardResult]:
    for index in range(count):
        tasks = subject_tasks(make_task, subjects, model_args, size, index)
        companions = _companions(companion, subjects, model_args, index)
        yield _run_eval_set(tasks, eval_args, companions)
        release_freed_memory()  # RSS then tracks one shard's memory, not the high-water mark


def _run_in_workers(jobs: list[ShardJob]) -> Iterator[ShardResult]:
    """Each shard in a fresh process (spawned, so no threads or model state are inherited)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context, max_tasks_per_child=1) as pool:
        for job in jobs:
            try:
                yield pool.submit(run_shard_job, job).result()
            except BrokenProcessPool as err:
                raise SpilloverError(
                    f"the worker process running shard {job.index + 1} of {len(jobs)} died",
                    hint="finished samples are kept in the log directory; run the same "
                    "command to resume (a worker killed for memory needs smaller shards)",
                ) from err
