"""The one place that says which judge runs when a command is given no judge flags.

`resolve_judge` turns what a user typed (a model, a mode, a calibration, each optional) into the
`JudgeSpec` every command passes down. With nothing given it is the audited configuration:
the registry judge in the mode its shipped calibration was fitted for, with that calibration.

* a judge named without a mode gets the mode its calibration was fitted for (the shipped one
  for a registry judge, or the file given with ``--calibration``); a judge with no calibration
  gets the study's ``scale`` mode;
* ``calibration="default"`` means the calibration shipped for that judge and mode, if any;
  ``"none"`` means none; anything else is a calibration file;
* asking for a mode other than the one a calibration was fitted for is an error, never a
  silent mismatch.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, get_args

from spillover.errors import SpilloverError
from spillover.judge.base import JudgeMode, JudgeSpec
from spillover.models import DEFAULT_JUDGE

DEFAULT_CALIBRATION = "default"
NO_CALIBRATION = "none"
STUDY_MODE: JudgeMode = "scale"  # the study's judge reads the 0..100 distribution
MODES: tuple[JudgeMode, ...] = get_args(JudgeMode)
JudgeModeChoice = Literal["scale", "binary"]


def _shipped(model: str) -> tuple[JudgeMode, Path] | None:
    """The calibration shipped for a registry judge (`spillover/NAME` is NAME), and the mode it
    was fitted for."""
    from spillover.judge.calibration import shipped_calibration
    from spillover.models.ref import ModelRef

    ref = ModelRef.parse(model)
    name = ref.base if ref.is_local else model
    for candidate in MODES:
        path = shipped_calibration(name, candidate)
        if path is not None:
            return candidate, path
    return None


def _fitted_mode(path: str) -> JudgeMode | None:
    """The mode a calibration file was fitted for (None for a bare map with no record)."""
    from spillover.judge.calibration import load_calibration

    record = load_calibration(path).record
    if record is None:
        return None
    if record.judge.mode not in MODES:
        raise SpilloverError(f"calibration {path} names an unknown judge mode {record.judge.mode}")
    return record.judge.mode  # type: ignore[return-value]


def resolve_judge(
    model: str | None = None,
    mode: JudgeMode | None = None,
    calibration: str | None = DEFAULT_CALIBRATION,
    **extra: Any,
) -> JudgeSpec:
    """The JudgeSpec for what was asked (see the module's rules); ``extra`` goes to the spec
    (``model_args``, ``samples_without_logprobs``)."""
    model = model or DEFAULT_JUDGE
    if calibration is None or calibration == NO_CALIBRATION:
        return JudgeSpec(model=model, mode=mode or STUDY_MODE, calibration=None, **extra)
    if calibration == DEFAULT_CALIBRATION:
        shipped = _shipped(model)
        if shipped is None:
            return JudgeSpec(model=model, mode=mode or STUDY_MODE, calibration=None, **extra)
        fitted_mode, path = shipped
        if mode is not None and mode != fitted_mode:
            raise SpilloverError(
                f"the calibration shipped for {model} was fitted for {fitted_mode} mode, "
                f"not {mode} mode",
                hint=f"leave out --judge-mode, or pass --calibration {NO_CALIBRATION} to run "
                f"{model} uncalibrated in {mode} mode (its audited figures do not apply then)",
            )
        return JudgeSpec(model=model, mode=fitted_mode, calibration=str(path), **extra)
    fitted = _fitted_mode(calibration)
    if mode is not None and fitted is not None and mode != fitted:
        raise SpilloverError(
            f"calibration {calibration} was fitted for {fitted} mode, not {mode} mode",
            hint=f"leave out --judge-mode (it then follows the calibration), or pass "
            f"--calibration {NO_CALIBRATION}",
        )
    return JudgeSpec(
        model=model, mode=mode or fitted or STUDY_MODE, calibration=calibration, **extra
    )


def describe_judge(spec: JudgeSpec) -> str:
    """``qwen2.5-coder-1.5b-instruct (binary, calibration X.json)``: how verdicts name their judge."""
    calibration = Path(spec.calibration).name if spec.calibration else "none"
    return f"{spec.model} ({spec.mode}, calibration {calibration})"
