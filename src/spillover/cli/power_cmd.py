"""`spillover power`: how many judged answers per arm an experiment needs to see an increase."""

from __future__ import annotations

import math
from typing import Annotated, Literal

import typer

from spillover.cli._app import app
from spillover.errors import InputError, SpilloverError

ICC_HINT = (
    "the answers of one training run are correlated; estimate the intra-run correlation from a "
    "pilot with several seeds, or pass --icc 0 to treat every answer as independent"
)


def _check(baseline: float, effect: float, alpha: float, power: float) -> None:
    if not 0.0 <= baseline < 1.0:
        raise InputError("--baseline", f"{baseline} is not a rate in [0, 1)")
    if not effect > 0:
        raise InputError("--effect", f"{effect} is not a positive increase")
    if baseline + effect > 1.0:
        raise InputError(
            "--effect", f"baseline {baseline} + effect {effect} = {baseline + effect:g} is above 1"
        )
    for name, value in (("--alpha", alpha), ("--power", power)):
        if not 0.0 < value < 1.0:
            raise InputError(name, f"{value} is not in (0, 1)")


def _design_effect(per_run: int, icc: float) -> str:
    from spillover.stats.power import design_effect

    return (
        f"design effect 1 + (m - 1) x ICC = 1 + ({per_run} - 1) x {icc:g} = "
        f"{design_effect(per_run, icc):.3g} for m = {per_run} answers per run"
    )


@app.command("power")
def power_command(
    baseline: Annotated[
        float, typer.Option(help="The control's misalignment rate, e.g. 0.05.", show_default=False)
    ],
    effect: Annotated[
        float,
        typer.Option(help="The increase to detect: 0.10 asks about 5% -> 15%.", show_default=False),
    ],
    alpha: Annotated[float, typer.Option(help="Significance level.")] = 0.05,
    power: Annotated[float, typer.Option(help="Chance of detecting the increase.")] = 0.8,
    alternative: Annotated[
        Literal["two-sided", "larger"],
        typer.Option(help="two-sided, or larger for a one-sided test of an increase."),
    ] = "two-sided",
    runs: Annotated[
        int | None, typer.Option(help="Training runs (seeds) per arm; needs --icc.")
    ] = None,
    answers_per_run: Annotated[
        int | None, typer.Option(help="Judged answers per run; needs --icc.")
    ] = None,
    icc: Annotated[
        float | None,
        typer.Option(help="Intra-run correlation of answers (0 = independent answers)."),
    ] = None,
) -> None:
    """Print the counted answers per arm needed to see a rise from --baseline by --effect.

    Two-proportion test on Cohen's h (statsmodels); the last line reads `answers per arm: N`.

    Answers of one run are correlated: with --runs or --answers-per-run, give --icc.

    No ICC is assumed; the answers grow by the design effect 1 + (m - 1) x ICC.

    With --runs alone it finds the answers per run that make those runs enough.
    """
    from spillover.stats import power as sizes

    _check(baseline, effect, alpha, power)
    if (runs is not None or answers_per_run is not None) and icc is None:
        raise SpilloverError("--runs and --answers-per-run need --icc", ICC_HINT)
    if icc is not None and runs is None and answers_per_run is None:
        raise SpilloverError(
            "--icc needs --runs or --answers-per-run", "give the design the correlation is for"
        )
    for name, count in (("--runs", runs), ("--answers-per-run", answers_per_run)):
        if count is not None and count < 1:
            raise InputError(name, f"{count} is not a positive number")
    if icc is not None and not 0.0 <= icc <= 1.0:
        raise InputError("--icc", f"{icc} is not in [0, 1]")

    independent = sizes.answers_needed(
        baseline, effect, alpha=alpha, power=power, alternative=alternative
    )
    typer.echo(
        f"two-proportion test (Cohen's h, normal approximation): {baseline:.1%} -> "
        f"{baseline + effect:.1%} ({100 * effect:+.1f} percentage points), alpha {alpha:g} "
        f"{alternative}, power {power:.0%}"
    )
    typer.echo(f"independent answers per arm: {independent}")
    needed = independent
    if icc is not None and answers_per_run is None:
        assert runs is not None
        per_run = sizes.answers_per_run_needed(independent, runs, icc)
        if per_run is None:
            raise SpilloverError(
                f"with {runs} runs per arm and ICC {icc:g}, no number of answers per run is "
                f"enough: the runs are worth at most {runs / icc:.0f} independent answers",
                f"train at least {math.floor(independent * icc) + 1} runs per arm",
            )
        typer.echo(f"with {runs} runs per arm: {per_run} answers per run")
        typer.echo(_design_effect(per_run, icc))
        needed = runs * per_run
    elif icc is not None and answers_per_run is not None:
        typer.echo(_design_effect(answers_per_run, icc))
        needed = sizes.answers_needed(
            baseline,
            effect,
            alpha=alpha,
            power=power,
            alternative=alternative,
            design_effect=sizes.design_effect(answers_per_run, icc),
        )
        runs_needed = math.ceil(needed / answers_per_run)
        line = f"runs per arm at {answers_per_run} answers per run: {runs_needed}"
        if runs is not None:
            line += f" (given {runs}: {'enough' if runs >= runs_needed else 'not enough'})"
        typer.echo(line)
    typer.echo(f"answers per arm: {needed}")
