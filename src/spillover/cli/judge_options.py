"""The judge options every judging command takes, and the one call that turns them into a spec."""

from __future__ import annotations

from typing import Annotated

import typer

from spillover.judge.base import JudgeSpec
from spillover.judge.defaults import DEFAULT_CALIBRATION, NO_CALIBRATION, JudgeModeChoice

JudgeOpt = Annotated[
    str | None,
    typer.Option(
        "--judge",
        help="Judge model: registry name, local directory, or an inspect id such as "
        "openai/gpt-4o-2024-08-06 (default: the audited registry judge).",
    ),
]
JudgeModeOpt = Annotated[
    JudgeModeChoice | None,
    typer.Option(
        "--judge-mode",
        help="scale (the study's 0..100 expectation) or binary (yes/no). Default: the mode the "
        "judge's calibration was fitted for; scale for a judge without one.",
    ),
]
CalibrationOpt = Annotated[
    str,
    typer.Option(
        "--calibration",
        help=f"Calibration file for the judge's scores; '{DEFAULT_CALIBRATION}' uses the one "
        f"shipped for the judge (if any), '{NO_CALIBRATION}' none.",
    ),
]


def judge_spec(judge: str | None, mode: JudgeModeChoice | None, calibration: str) -> JudgeSpec:
    """The spec the command runs with (see `spillover.judge.defaults.resolve_judge`)."""
    from spillover.judge.defaults import resolve_judge

    return resolve_judge(judge, mode, calibration)
