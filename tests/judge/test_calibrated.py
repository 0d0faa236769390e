"""A calibration applied around any judge, in one place."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Sequence
from pathlib import Path

import pytest

from spillover.errors import SpilloverError
from spillover.judge.base import Classification, Judge, JudgeItem, JudgeSpec, Judgment
from spillover.judge.calibrated import CalibratedJudge
from spillover.judge.calibration import load_calibration
from spillover.judge.defaults import resolve_judge
from spillover.judge.factory import build_judge


class Fixed(Judge):
    """Raw scores given in advance, one per item."""

    def __init__(self, raw: list[float]) -> None:
        self.spec = JudgeSpec(model="fixed")
        self.raw = raw

    async def judge(self, metric: str, items: Sequence[JudgeItem]) -> list[Judgment]:
        return [Judgment(r, r, 1.0) for r in self.raw[: len(items)]]

    async def classify(self, prompts: Sequence[str], labels: Sequence[str]) -> list[Classification]:
        return [Classification(labels[0], {labels[0]: 1.0}) for _ in prompts]


def test_the_wrapper_maps_raw_scores_and_keeps_nan(tmp_path: Path) -> None:
    cal = tmp_path / "cal.json"
    cal.write_text(json.dumps({"x": [0, 100], "y": [0, 50]}))
    spec = JudgeSpec(model="fixed", calibration=str(cal))
    judge = CalibratedJudge(Fixed([80.0, math.nan]), load_calibration(cal), spec)
    scored, unscored = asyncio.run(judge.judge("aligned", [JudgeItem("q", "a")] * 2))
    assert (scored.raw_score, scored.score) == (80.0, pytest.approx(40.0))
    assert math.isnan(unscored.score)
    assert asyncio.run(judge.classify(["?"], ["TRUE"]))[0].label == "TRUE"
    assert judge.describe()["calibration"] == str(cal)


def test_a_calibration_for_another_mode_is_refused() -> None:
    default = resolve_judge()
    wrong = default.model_copy(update={"mode": "scale"})
    with pytest.raises(SpilloverError, match=r"fitted for judge .* in binary mode"):
        build_judge(wrong, model=object())
