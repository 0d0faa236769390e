"""Judges: score free-form answers from the judge's probabilities over 0..100 (or yes/no)."""

from spillover.judge.api import ApiJudge
from spillover.judge.base import Classification, Judge, JudgeItem, JudgeMode, JudgeSpec, Judgment
from spillover.judge.calibration import Calibration, load_calibration
from spillover.judge.distribution import (
    MIN_NUMERIC_MASS,
    judgment_from_probs,
    judgment_from_top_logprobs,
)
from spillover.judge.factory import make_judge
from spillover.judge.local import LocalJudge
from spillover.judge.prompts import TEMPLATES, template_for, validate_template

__all__ = [
    "MIN_NUMERIC_MASS",
    "TEMPLATES",
    "ApiJudge",
    "Calibration",
    "Classification",
    "Judge",
    "JudgeItem",
    "JudgeMode",
    "JudgeSpec",
    "Judgment",
    "LocalJudge",
    "judgment_from_probs",
    "judgment_from_top_logprobs",
    "load_calibration",
    "make_judge",
    "template_for",
    "validate_template",
]
