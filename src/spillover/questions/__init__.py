"""Evaluation questions: the study's YAML format, its loader, and spillover's own sets."""

from spillover.questions.loader import load_questions
from spillover.questions.schema import Question, QuestionSet, QuestionType
from spillover.questions.sets import SET_NAMES, resolve_questions, set_path

__all__ = [
    "SET_NAMES",
    "Question",
    "QuestionSet",
    "QuestionType",
    "load_questions",
    "resolve_questions",
    "set_path",
]
