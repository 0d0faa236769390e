"""Evaluation questions: the study's YAML format, its loader, and spillover's own sets."""

from spillover.questions.loader import load_questions
from spillover.questions.schema import Question, QuestionSet, QuestionType
from spillover.questions.sets import SET_NAMES, resolve_questions, set_path
from spillover.questions.study import STUDY_SETS, load_study_set
from spillover.questions.variants import VARIANTS, variant_of

__all__ = [
    "SET_NAMES",
    "STUDY_SETS",
    "VARIANTS",
    "Question",
    "QuestionSet",
    "QuestionType",
    "load_questions",
    "load_study_set",
    "resolve_questions",
    "set_path",
    "variant_of",
]
