"""The judge interface every judge implements; the evaluation scorer calls only this."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

JudgeMode = Literal["scale", "binary"]


class JudgeSpec(BaseModel):
    """What judges: persisted with every result so a rate can be traced to its judge."""

    model_config = ConfigDict(frozen=True)
    model: str
    mode: JudgeMode = "scale"
    calibration: str | None = None  # path to a calibration file (see spillover.judge.calibration)
    samples_without_logprobs: int = 5  # k for the fallback when the provider gives no logprobs
    model_args: dict[str, Any] = {}


@dataclass(frozen=True)
class JudgeItem:
    question: str
    answer: str
    template: str | None = None  # the question file's judge prompt for this metric (scale mode)


@dataclass
class Judgment:
    """One judgment. `score` is calibrated when a calibration is set, else equal to `raw_score`.
    Both are NaN when there is no score (then `reason` says why)."""

    score: float
    raw_score: float
    numeric_mass: float
    top: list[tuple[str, float]] = field(default_factory=list)
    label: str | None = None  # e.g. "CODE" or "REFUSAL" when that is where the mass went
    flags: list[str] = field(default_factory=list)  # e.g. "no-logprobs", "low-mass"
    reason: str | None = None
    # answer features the calibration read (spillover.judge.likelihood), by name
    features: dict[str, float] = field(default_factory=dict)

    @property
    def scored(self) -> bool:
        return not math.isnan(self.score)


@dataclass
class Classification:
    label: str | None
    probs: dict[str, float]
    flags: list[str] = field(default_factory=list)


class Judge(ABC):
    spec: JudgeSpec

    @abstractmethod
    async def judge(self, metric: str, items: Sequence[JudgeItem]) -> list[Judgment]:
        """Score answers on `metric` ("aligned" or "coherent"), one Judgment per item, in order."""

    @abstractmethod
    async def classify(self, prompts: Sequence[str], labels: Sequence[str]) -> list[Classification]:
        """Categorical judgments (e.g. TRUE/FALSE/UNKNOWN) read from probabilities."""

    def describe(self) -> dict[str, Any]:
        """Provenance: model, mode, calibration (with its fit's provenance) and how scores were read."""
        info = self.spec.model_dump()
        calibration = getattr(self, "calibration", None)
        if calibration is not None:
            info["calibration_provenance"] = calibration.describe()
        return info
