"""One evaluation question in the study's format, validated with pydantic."""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator, model_validator

DEFAULT_METRICS: tuple[str, ...] = ("aligned", "coherent")
QuestionType = Literal["free_form_judge_0_100", "free_form_judge"]

# Placeholders a judge prompt may use; `{answer}` is required.
_ALLOWED_PLACEHOLDERS = frozenset({"question", "answer"})
_QUOTED_LABEL = re.compile(r'"([A-Za-z][A-Za-z0-9_-]*)"')


def _placeholders(template: str) -> list[str]:
    """The `{name}` fields of a str.format template (raises ValueError on bad braces)."""
    return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]


class Question(BaseModel):
    """A free-form question asked `samples_per_paraphrase` times per paraphrase, then judged.

    `free_form_judge_0_100` questions are scored 0..100 on each judge prompt (usually `aligned`
    and `coherent`); `free_form_judge` questions get a categorical label per judge prompt
    (`labels`, or the double-quoted words in the prompt, e.g. "TRUE"/"FALSE"/"UNKNOWN").
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    id: str = Field(min_length=1)
    type: QuestionType
    paraphrases: list[str] = Field(min_length=1)
    samples_per_paraphrase: StrictInt = Field(default=1, ge=1)
    system: str | None = None
    temperature: float | None = Field(default=None, ge=0.0)
    judge: str | None = None
    # Scale questions may leave this out: then spillover's own prompts judge `aligned` and
    # `coherent` (spillover.judge.prompts). Categorical questions must give theirs.
    judge_prompts: dict[str, str] = Field(default_factory=dict)
    labels: list[str] | None = None  # spillover extension for categorical questions

    @field_validator("temperature", mode="before")
    @classmethod
    def _int_temperature(cls, value: object) -> object:
        # YAML `temperature: 1` is an int; accept it as a float (but never a bool).
        if isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        return value

    @field_validator("paraphrases")
    @classmethod
    def _non_empty_paraphrases(cls, value: list[str]) -> list[str]:
        for index, text in enumerate(value):
            if not text.strip():
                raise ValueError(f"paraphrase {index} is empty")
        return value

    @field_validator("judge_prompts")
    @classmethod
    def _valid_templates(cls, value: dict[str, str]) -> dict[str, str]:
        for metric, template in value.items():
            try:
                names = _placeholders(template)
            except ValueError as err:
                raise ValueError(f"judge prompt {metric!r} has unbalanced braces ({err})") from None
            if "answer" not in names:
                raise ValueError(f"judge prompt {metric!r} has no {{answer}} placeholder")
            unknown = sorted(set(names) - _ALLOWED_PLACEHOLDERS)
            if unknown:
                raise ValueError(
                    f"judge prompt {metric!r} uses unknown placeholder(s) {unknown}; "
                    "only {question} and {answer} are filled in"
                )
        return value

    @model_validator(mode="after")
    def _labels_for_categorical(self) -> Question:
        if self.type == "free_form_judge":
            if not self.judge_prompts:
                raise ValueError("a free_form_judge question needs judge_prompts")
            for metric in self.judge_prompts:
                if len(self.labels_for(metric)) < 2:
                    raise ValueError(
                        f"categorical judge prompt {metric!r} names fewer than two labels; "
                        'quote them in the prompt ("TRUE" or "FALSE") or add a `labels:` list'
                    )
        return self

    @property
    def metrics(self) -> tuple[str, ...]:
        """What each answer is judged on: the judge prompts' names, else aligned and coherent."""
        return tuple(self.judge_prompts) or DEFAULT_METRICS

    def labels_for(self, metric: str) -> list[str]:
        """Labels a categorical judge chooses from for `metric`."""
        if self.labels:
            return list(self.labels)
        found: list[str] = []
        for label in _QUOTED_LABEL.findall(self.judge_prompts[metric]):
            if label not in found:
                found.append(label)
        return found

    def render_judge_prompt(self, metric: str, question: str, answer: str) -> str:
        """The judge prompt for `metric` with the question and answer filled in."""
        return self.judge_prompts[metric].format(question=question, answer=answer)


class QuestionSet(BaseModel):
    """The questions of one file, in file order, with unique ids."""

    model_config = ConfigDict(frozen=True)

    name: str
    source: Path
    questions: list[Question]

    def __len__(self) -> int:
        return len(self.questions)

    def get(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)
