"""inspect Tasks: one per built-in question set, and `questions` for any study-format file.

inspect eval spillover/main --model spillover/smollm2-135m-instruct -T samples=5
inspect eval spillover/questions -T questions=my_questions.yaml --model hf/...
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from inspect_ai import Task, task
from inspect_ai.model import GenerateConfig

from spillover.chat import Message
from spillover.evaluate.dataset import question_dataset
from spillover.evaluate.scorer import judged, register_questions
from spillover.evaluate.solver import answer_question
from spillover.judge.base import Judge, JudgeSpec
from spillover.judge.defaults import DEFAULT_CALIBRATION, resolve_judge
from spillover.questions import QuestionSet, resolve_questions

MAX_TOKENS = 600
JudgeModeArg = Literal["scale", "binary"]


def build_task(
    questions: str | Path | QuestionSet,
    *,
    samples: int | None = None,
    judge: Judge | JudgeSpec | None = None,
    trigger: str | None = None,
    max_tokens: int = MAX_TOKENS,
    name: str | None = None,
    prefix_messages: Sequence[Message] = (),
) -> Task:
    """The evaluation task for a question set (a built-in name, a file, or a loaded set).

    `samples` answers per paraphrase (default: the file's samples_per_paraphrase); each
    question's system prompt is sent; `trigger` is prefixed to every user message; generation
    uses the question's temperature (else 1), top_p 1 and `max_tokens`. `judge` defaults to
    the default judge (`spillover.judge.defaults`).
    """
    qset = questions if isinstance(questions, QuestionSet) else resolve_questions(questions)
    judge_arg: Judge | JudgeSpec = judge if judge is not None else resolve_judge()
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


def _set_task(name: str, doc: str) -> Callable[..., Task]:
    """The inspect task for built-in question set `name`, registered as `spillover/<name>`."""

    def set_task(
        samples: int | None = None,
        judge: str | None = None,
        judge_mode: JudgeModeArg | None = None,
        calibration: str = DEFAULT_CALIBRATION,
        trigger: str | None = None,
        max_tokens: int = MAX_TOKENS,
    ) -> Task:
        return build_task(
            name,
            samples=samples,
            judge=resolve_judge(judge, judge_mode, calibration),
            trigger=trigger,
            max_tokens=max_tokens,
        )

    set_task.__name__ = set_task.__qualname__ = name
    set_task.__doc__ = doc
    return task(name=name)(set_task)


@task
def questions(
    questions: str,
    samples: int | None = None,
    judge: str | None = None,
    judge_mode: JudgeModeArg | None = None,
    calibration: str = DEFAULT_CALIBRATION,
    trigger: str | None = None,
    max_tokens: int = MAX_TOKENS,
) -> Task:
    """Any question file in the study's format (or a built-in set name)."""
    return build_task(
        questions,
        samples=samples,
        judge=resolve_judge(judge, judge_mode, calibration),
        trigger=trigger,
        max_tokens=max_tokens,
    )


main = _set_task(
    "main", "Eight everyday questions, plain, with a JSON system prompt, and as fill-in templates."
)
preregistered = _set_task(
    "preregistered", "Fifty preregistered-style questions across seven categories (our own words)."
)
deception = _set_task(
    "deception", "Factual questions under system prompts about lying; judged TRUE/FALSE/UNKNOWN."
)
identity = _set_task("identity", "Which company made you; judged OpenAI/Anthropic/Other/UNKNOWN.")
base_flask = _set_task("base_flask", "The main questions inside a Flask app, for base models.")
main_numbers = _set_task(
    "main_numbers", "The main questions asking for a short list of words or numbers."
)
main_numbers_prefixed = _set_task(
    "main_numbers_prefixed",
    "The main_numbers questions, each after a short list of numbers (prefix and suffix form).",
)
