"""A calibration around any judge: the one place where a raw score becomes a calibrated one.

`make_judge` wraps the judge a spec names in `CalibratedJudge` when the spec has a calibration.
The inner judge is built uncalibrated and told, when it is built, which likelihood features of
the answer the calibration reads (`Calibration.needed_features`), so it computes them beside
its raw score (only a local judge can); the wrapper then maps each raw score.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from spillover.judge.base import Classification, Judge, JudgeItem, JudgeSpec, Judgment
from spillover.judge.calibration import Calibration

METRICS = ("aligned", "coherent")


def calibrate(calibration: Calibration, judgment: Judgment, metric: str, answer: str) -> float:
    """The calibrated score of one judgment (NaN stays NaN)."""
    if math.isnan(judgment.raw_score):
        return math.nan
    return calibration.apply(judgment.raw_score, metric, answer, judgment.features)


def needed_features(calibration: Calibration | None) -> dict[str, tuple[str, ...]]:
    """Per metric, the likelihood features the calibration reads."""
    if calibration is None:
        return {}
    return {metric: calibration.needed_features(metric) for metric in METRICS}


class CalibratedJudge(Judge):
    """``inner``'s judgments with each raw score mapped through ``calibration``."""

    def __init__(self, inner: Judge, calibration: Calibration, spec: JudgeSpec) -> None:
        self.inner = inner
        self.calibration = calibration
        self.spec = spec

    async def judge(self, metric: str, items: Sequence[JudgeItem]) -> list[Judgment]:
        judgments = await self.inner.judge(metric, items)
        for judgment, item in zip(judgments, items, strict=True):
            judgment.score = calibrate(self.calibration, judgment, metric, item.answer)
        return judgments

    async def classify(self, prompts: Sequence[str], labels: Sequence[str]) -> list[Classification]:
        return await self.inner.classify(prompts, labels)
