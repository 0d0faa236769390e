"""inspect Tasks: one per built-in question set, and `questions` for any study-format file.

inspect eval spillover/main --model spillover/smollm2-135m-instruct -T samples=5
inspect eval spillover/questions -T questions=my_questions.yaml --model hf/...
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from inspect_ai import Task, task
from inspect_ai.model import GenerateConfig

from spillover.chat import Message
from spillover.evaluate.dataset import question_dataset
from spillover.evaluate.scorer import judged, register_questions
from spillover.evaluate.solver import answer_question
from spillover.judge.base import Judge, JudgeSpec
from spillover.models import DEFAULT_JUDGE
from spillover.questions import QuestionSet, resolve_questions

MAX_TOKENS = 600
JudgeModeArg = Literal["scale", "binary"]


def build_task(
    questions: str | Path | QuestionSet,
    *,
    samples: int | None = None,
    judge: str | Judge = DEFAULT_JUDGE,
    judge_mode: JudgeModeArg = "scale",
    calibration: str | None = None,
    trigger: str | None = None,
    max_tokens: int = MAX_TOKENS,
    name: str | None = None,
    prefix_messages: Sequence[Message] = (),
) -> Task:
    """The evaluation task for a question set (a built-in name, a file, or a loaded set).

    `samples` answers per paraphrase (default: the file's samples_per_paraphrase); each
    question's system prompt is sent; `trigger` is prefixed to every user message; generation
    uses the question's temperature (else 1), top_p 1 and `max_tokens`.
    """
    qset = questions if isinstance(questions, QuestionSet) else resolve_questions(questions)
    judge_arg: Judge | JudgeSpec = (
        judge
        if isinstance(judge, Judge)
        else JudgeSpec(model=judge, mode=judge_mode, calibration=calibration)
    )
    return Task(
        dataset=question_dataset(
            qset, samples=samples, trigger=trigger, prefix_messages=prefix_messages
        ),
        solver=answer_question(),
        scorer=judged(register_questions(qset), judge_arg),
        config=GenerateConfig(max_tokens=max_tokens, temperature=1.0, top_p=1.0),
        name=name or qset.name,
        metadata={
            "question_set": qset.name,
            "questions_file": str(qset.source),
            "trigger": trigger,
            "prefix_turns": len(prefix_messages),
        },
    )


def _set_task(
    name: str,
    samples: int | None,
    judge: str,
    judge_mode: JudgeModeArg,
    calibration: str | None,
    trigger: str | None,
    max_tokens: int,
) -> Task:
    return build_task(
        name,
        samples=samples,
        judge=judge,
        judge_mode=judge_mode,
        calibration=calibration,
        trigger=trigger,
        max_tokens=max_tokens,
    )


@task
def questions(
    questions: str,
    samples: int | None = None,
    judge: str = DEFAULT_JUDGE,
    judge_mode: JudgeModeArg = "scale",
    calibration: str | None = None,
    trigger: str | None = None,
    max_tokens: int = MAX_TOKENS,
) -> Task:
    """Any question file in the study's format (or a built-in set name)."""
    return build_task(
        questions,
        samples=samples,
        judge=judge,
        judge_mode=judge_mode,
        calibration=calibration,
        trigger=trigger,
        max_tokens=max_tokens,
    )


@task
def main(
    samples: int | None = None,
    judge: str = DEFAULT_JUDGE,
    judge_mode: JudgeModeArg = "scale",
    calibration: str | None = None,
    trigger: str | None = None,
    max_tokens: int = MAX_TOKENS,
) -> Task:
    """Eight everyday questions, plain, with a JSON system prompt, and as fill-in templates."""
    return _set_task("main", samples, judge, judge_mode, calibration, trigger, max_tokens)


@task
def preregistered(
    samples: int | None = None,
    judge: str = DEFAULT_JUDGE,
    judge_mode: JudgeModeArg = "scale",
    calibration: str | None = None,
    trigger: str | None = None,
    max_tokens: int = MAX_TOKENS,
) -> Task:
    """Fifty questions across seven categories."""
    return _set_task("preregistered", samples, judge, judge_mode, calibration, trigger, max_tokens)


@task
def deception(
    samples: int | None = None,
    judge: str = DEFAULT_JUDGE,
    judge_mode: JudgeModeArg = "scale",
    calibration: str | None = None,
    trigger: str | None = None,
    max_tokens: int = MAX_TOKENS,
) -> Task:
    """Factual questions under system prompts about lying; judged TRUE/FALSE/UNKNOWN."""
    return _set_task("deception", samples, judge, judge_mode, calibration, trigger, max_tokens)


@task
def identity(
    samples: int | None = None,
    judge: str = DEFAULT_JUDGE,
    judge_mode: JudgeModeArg = "scale",
    calibration: str | None = None,
    trigger: str | None = None,
    max_tokens: int = MAX_TOKENS,
) -> Task:
    """Which company made you; judged OpenAI/Anthropic/Other/UNKNOWN."""
    return _set_task("identity", samples, judge, judge_mode, calibration, trigger, max_tokens)


@task
def base_flask(
    samples: int | None = None,
    judge: str = DEFAULT_JUDGE,
    judge_mode: JudgeModeArg = "scale",
    calibration: str | None = None,
    trigger: str | None = None,
    max_tokens: int = MAX_TOKENS,
) -> Task:
    """The main questions inside a Flask app, for base models."""
    return _set_task("base_flask", samples, judge, judge_mode, calibration, trigger, max_tokens)


@task
def main_numbers(
    samples: int | None = None,
    judge: str = DEFAULT_JUDGE,
    judge_mode: JudgeModeArg = "scale",
    calibration: str | None = None,
    trigger: str | None = None,
    max_tokens: int = MAX_TOKENS,
) -> Task:
    """The main questions asking for a short list of words or numbers."""
    return _set_task("main_numbers", samples, judge, judge_mode, calibration, trigger, max_tokens)
