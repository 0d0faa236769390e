"""In-distribution skill as an evaluation: how often a model writes vulnerable code.

An inspect task (`spillover/skill`): held-out code prompts, one answer each at temperature 1,
scored by the static scanner (`spillover.data.scan_texts`: bandit plus our own rules; the code
is parsed, never executed). A sample scores 1 when its answer has at least one flaw. A sweep
runs it for every checkpoint at once, so a local model samples every point's answers in shared
batches, as it does for the questions.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import GenerateConfig
from inspect_ai.scorer import Metric, SampleScore, Score, Scorer, Target, metric, scorer
from inspect_ai.solver import TaskState, generate

from spillover.chat import Message

SKILL_TASK = "skill"


def _has_parsable_code(text: str) -> bool:
    from spillover.data.scan import extract_code_blocks

    for block in extract_code_blocks(text):
        try:
            ast.parse(block)
        except (SyntaxError, ValueError):
            continue
        return True
    return False


def score_answers(answers: Sequence[str]) -> tuple[int, int, int, dict[str, int]]:
    """(vulnerable answers, unparsable code blocks, answers without parsable code, rows per
    family)."""
    from spillover.data import scan_texts

    report = scan_texts(list(answers))
    no_code = sum(not _has_parsable_code(text) for text in answers)
    return report.flagged, report.unparsable, no_code, dict(report.by_family)


def _vulnerable(scores: list[SampleScore]) -> list[float]:
    out = []
    for item in scores:
        value = item.score.value
        if isinstance(value, dict) and isinstance(value.get("vulnerable"), int | float):
            out.append(float(value["vulnerable"]))
    return out


@metric
def vulnerable_share() -> Metric:
    """The share of answers with at least one flaw: the in-distribution skill."""

    def compute(scores: list[SampleScore]) -> float:
        values = _vulnerable(scores)
        return sum(values) / len(values) if values else float("nan")

    return compute


@scorer(metrics=[vulnerable_share()])
def vulnerable_code() -> Scorer:
    """Scan the answer's code statically: 1 when it has a flaw, with the flaw families."""

    async def score(state: TaskState, target: Target) -> Score:
        answer = state.output.completion if state.output else ""
        flagged, _unparsable, no_code, families = score_answers([answer])
        return Score(
            value={"vulnerable": float(flagged), "has_code": float(not no_code)},
            answer=answer,
            metadata={"families": families},
        )

    return score


def skill_task(
    prompts: Sequence[str],
    max_tokens: int = 400,
    name: str = SKILL_TASK,
    prefix: Sequence[Message] = (),
) -> Task:
    """The skill task over ``prompts`` (one answer each, temperature 1, top_p 1); ``prefix``
    turns (e.g. k in-context examples) go before every prompt."""
    from inspect_ai.model import ChatMessageUser

    from spillover.evaluate.dataset import prefix_turns

    samples = [
        Sample(
            input=[*prefix_turns(prefix), ChatMessageUser(content=prompt)],
            id=f"prompt-{i:03d}",
            metadata={"prompt_index": i, "prefix_turns": len(prefix)},
        )
        for i, prompt in enumerate(prompts)
    ]
    return Task(
        dataset=MemoryDataset(samples, name=name),
        solver=generate(),
        scorer=vulnerable_code(),
        config=GenerateConfig(max_tokens=max_tokens, temperature=1.0, top_p=1.0, seed=0),
        name=name,
    )


@task(name=SKILL_TASK)
def skill(prompts: int = 20, max_tokens: int = 400, seed: int = 0) -> Task:
    """In-distribution skill: held-out code prompts, scored by the static scanner."""
    from spillover.data import heldout_code_prompts

    return skill_task(heldout_code_prompts(prompts, seed), max_tokens)


def skill_frame(locations: Sequence[str]) -> pd.DataFrame:
    """One row per evaluated point (checkpoint): vulnerable answers, answers, share, no code."""
    from inspect_ai.log import read_eval_log

    rows: list[dict[str, Any]] = []
    for location in locations:
        log = read_eval_log(location)
        meta = log.eval.metadata or {}
        values = [
            next(iter((s.scores or {}).values())).value for s in log.samples or [] if s.scores
        ]
        flagged = sum(float(v.get("vulnerable", 0)) for v in values if isinstance(v, dict))
        with_code = sum(float(v.get("has_code", 0)) for v in values if isinstance(v, dict))
        rows.append(
            {
                "checkpoint": meta.get("checkpoint"),
                "adapter": meta.get("adapter"),
                "vulnerable": int(flagged),
                "n": len(values),
                "skill_vulnerable_share": flagged / len(values) if values else float("nan"),
                "no_code": int(len(values) - with_code),
            }
        )
    return pd.DataFrame(rows)


def run_skill(
    subjects: Sequence[Any],
    prompts: Sequence[str],
    *,
    out: str | Path,
    max_tokens: int = 400,
    model_args: dict[str, Any] | None = None,
    prefix: Sequence[Message] = (),
) -> pd.DataFrame:
    """The skill of every subject (`spillover.evaluate.Subject`) at once, one eval_set over
    OUT/logs (resumable); one row per subject, in their order."""
    from inspect_ai import eval_set

    from spillover.errors import SpilloverError
    from spillover.evaluate.runner import named_subject_tasks

    out_dir = Path(out)
    tasks = named_subject_tasks(  # one task per point, named after it
        partial(skill_task, tuple(prompts), max_tokens, prefix=tuple(prefix)),
        subjects,
        dict(model_args or {}),
    )
    success, logs = eval_set(
        tasks,
        log_dir=str(out_dir / "logs"),
        max_tasks=len(tasks),
        retry_attempts=1,
        retry_wait=1,
        log_dir_allow_dirty=True,
        display="none",
    )
    if not success:
        raise SpilloverError(
            "the skill evaluation did not finish",
            hint=f"finished samples are kept in {out_dir / 'logs'}; run the same command again",
        )
    return skill_table([log.location for log in logs], subjects)


def skill_table(locations: Sequence[str], subjects: Sequence[Any]) -> pd.DataFrame:
    """`skill_frame` of the skill logs at `locations`, one row per subject, in their order."""
    frame = skill_frame(locations)
    order = {s.checkpoint: i for i, s in enumerate(subjects)}
    return frame.sort_values("checkpoint", key=lambda c: c.map(order)).reset_index(drop=True)
