"""The study file: the axes of a grid of fine-tunes and what every cell of it does.

A study is the product of its axes (models x datasets x seeds x mitigations x training presets);
every cell fine-tunes one model on one dataset (with checkpoints), then sweeps its checkpoints or
evaluates its final adapter on the question sets, with one judge. Unknown keys are errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from spillover.data.make import KINDS
from spillover.judge.base import JudgeMode, JudgeSpec
from spillover.models import DEFAULT_JUDGE


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DatasetSpec(_Strict):
    """One dataset: a generated kind (`kind`, `rows`, `seed`), a chat JSONL `file` (relative to
    the study file), or one of the study's own files (`study`, e.g. `insecure`)."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    kind: str | None = None
    rows: int = Field(160, ge=1)
    seed: int = 0
    file: str | None = None
    study: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> DatasetSpec:
        given = [k for k in ("kind", "file", "study") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of kind, file, study (got {given or 'none'})")
        if self.kind is not None and self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r} (choose {', '.join(KINDS)})")
        return self


class MitigationSpec(_Strict):
    """`none`, an inoculation prompt (a system prompt on every training row), or a benign mix."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    inoculation_prompt: str | None = None
    benign_fraction: float = Field(0.0, ge=0, lt=1)

    def settings(self) -> dict[str, Any]:
        """The training config's `mitigations` section."""
        return {
            "inoculation_prompt": self.inoculation_prompt,
            "benign_fraction": self.benign_fraction,
        }


NO_MITIGATION = MitigationSpec.model_validate({"name": "none"})


class TrainingSpec(_Strict):
    """A training preset (`paper`, `cpu-small`) and settings of `spillover.train.TrainConfig` over it."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    preset: Literal["paper", "cpu-small"] = "cpu-small"
    settings: dict[str, Any] = Field(default_factory=dict)


class JudgeSettings(_Strict):
    """The judge of every cell, resolved as every command resolves it
    (`spillover.judge.defaults.resolve_judge`): left out, the audited default judge."""

    model: str = DEFAULT_JUDGE
    mode: JudgeMode | None = Field(
        None, description="null: the mode the judge's calibration was fitted for (else scale)"
    )
    calibration: str | None = Field(
        "default", description="a calibration file, `default` (the shipped one), or null"
    )

    def spec(self) -> JudgeSpec:
        from spillover.judge.defaults import NO_CALIBRATION, resolve_judge

        return resolve_judge(self.model, self.mode, self.calibration or NO_CALIBRATION)


class EvaluateSpec(_Strict):
    """What every cell evaluates once trained."""

    what: Literal["sweep", "final"] = Field(
        "sweep", description="sweep: every checkpoint; final: the last adapter only"
    )
    include_base: bool = Field(False, description="also evaluate the base model (step 0)")
    questions: list[str] = Field(default_factory=lambda: ["main_plain"], min_length=1)
    samples: int = Field(4, ge=1, description="answers per question paraphrase")
    max_tokens: int = Field(160, ge=1)
    skill_prompts: int = Field(0, ge=0, description="in-distribution skill prompts per point")
    skill_max_tokens: int = Field(256, ge=1)
    share_base: int = Field(
        8,
        ge=1,
        description="cells of the same base model and judge evaluated together by one task, "
        "one loaded base (one vLLM server on a GPU) for all their adapters: at most this many "
        "(1: a task per cell); not part of a cell's key",
    )


class StageResources(_Strict):
    """What one stage of a cell asks the scheduler for (Ray's resource model)."""

    num_cpus: float = Field(1, ge=0)
    num_gpus: float = Field(0, ge=0)
    memory_gb: float | None = Field(None, gt=0, description="RAM reserved for the stage")
    max_retries: int = Field(3, ge=0)


class Resources(_Strict):
    train: StageResources = Field(default_factory=StageResources)  # type: ignore[arg-type]
    evaluate: StageResources = Field(default_factory=StageResources)  # type: ignore[arg-type]


class CostFigures(_Strict):
    """The user's own rates for `study plan`; unset ones come from the measured table."""

    train_tokens_per_s: float | None = Field(None, gt=0)
    sample_tokens_per_s: float | None = Field(None, gt=0)
    judge_s_per_answer: float | None = Field(None, ge=0)
    tokens_per_row: float | None = Field(None, gt=0)
    hardware: str | None = None


class StudySpec(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    description: str = ""
    models: list[str] = Field(min_length=1)
    datasets: list[DatasetSpec] = Field(min_length=1)
    seeds: list[int] = Field(default_factory=lambda: [0], min_length=1)
    mitigations: list[MitigationSpec] = Field(default_factory=lambda: [NO_MITIGATION], min_length=1)
    training: list[TrainingSpec] = Field(
        default_factory=lambda: [TrainingSpec(name="cpu-small")], min_length=1
    )
    evaluate: EvaluateSpec = Field(default_factory=EvaluateSpec)  # type: ignore[arg-type]
    judge: JudgeSettings = Field(default_factory=JudgeSettings)  # type: ignore[arg-type]
    resources: Resources = Field(default_factory=Resources)  # type: ignore[arg-type]
    cost: CostFigures = Field(default_factory=CostFigures)  # type: ignore[arg-type]
    control: str | None = Field(
        None, description="the dataset the report compares every other dataset's arms with"
    )

    @field_validator("mitigations", mode="before")
    @classmethod
    def _bare_none(cls, value: Any) -> Any:
        """`- none` is short for `- {name: none}`."""
        if isinstance(value, list):
            return [{"name": v} if isinstance(v, str) else v for v in value]
        return value

    @model_validator(mode="after")
    def _unique_names(self) -> StudySpec:
        for axis in ("datasets", "mitigations", "training"):
            names = [item.name for item in getattr(self, axis)]
            dup = sorted({n for n in names if names.count(n) > 1})
            if dup:
                raise ValueError(f"{axis}: duplicate names {dup}")
        for axis in ("models", "seeds"):
            values = getattr(self, axis)
            if len(set(values)) != len(values):
                raise ValueError(f"{axis}: duplicate values")
        if self.control is not None and self.control not in [d.name for d in self.datasets]:
            raise ValueError(f"control {self.control!r} is not one of the datasets")
        return self


class LoadedStudy(BaseModel):
    """A validated study and where it came from (dataset files are relative to it)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    spec: StudySpec
    path: Path
    lines: dict[str, int] = Field(default_factory=dict, description="field path -> line")

    def line(self, field: str) -> int | None:
        return line_of(self.lines, field)


def line_of(lines: dict[str, int], field: str) -> int | None:
    """The line of `field` (a dotted path) or of its nearest parent in the file."""
    parts = field.split(".")
    while parts:
        found = lines.get(".".join(parts))
        if found is not None:
            return found
        parts.pop()
    return None
